import { DownloadOutlined, FileExcelOutlined, SearchOutlined } from '@ant-design/icons';
import { INVOICE_STATES, type InvoiceState } from '@fapiao/shared';
import { Alert, Button, Card, Checkbox, DatePicker, Form, Input, Select, Space, Table, Tag, Tooltip, Typography } from 'antd';
import type { Dayjs } from 'dayjs';
import { useCallback, useEffect, useState } from 'react';
import { api, describeError, query } from '../api';
import { stateColor, stateText, time, yuan } from '../format';
import { go } from '../router';
import type { AdminInvoice } from '../types';

interface Filters {
  status?: InvoiceState;
  range?: [Dayjs | null, Dayjs | null] | null;
  orderNo?: string;
  title?: string;
  taxNumber?: string;
  attention?: boolean | undefined;
}

/** The list's query parameters, shared by the page and the export. */
function filterParams(f: Filters) {
  return {
    status: f.status,
    orderNo: f.orderNo?.trim(),
    title: f.title?.trim(),
    taxNumber: f.taxNumber?.trim(),
    // Whole China days: from the first day's midnight to the midnight after the last.
    createdAfter: f.range?.[0]?.startOf('day').format('YYYY-MM-DDTHH:mm:ssZ'),
    createdBefore: f.range?.[1]?.add(1, 'day').startOf('day').format('YYYY-MM-DDTHH:mm:ssZ'),
    attention: f.attention ? 'true' : undefined,
  };
}

/** Needs a human: flagged by the server (see `attention`). */
export const needsAttention = (r: AdminInvoice): boolean => r.needsAttention;

export function Invoices({ initial }: { initial?: URLSearchParams }) {
  const [form] = Form.useForm<Filters>();
  const [filters, setFilters] = useState<Filters>(() => ({ attention: initial?.get('attention') === '1' || undefined }));
  const [pageSize, setPageSize] = useState(20);
  // Cursors of the pages seen so far: the server pages by cursor, newest first.
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  const [page, setPage] = useState(0);
  const [rows, setRows] = useState<AdminInvoice[]>([]);
  const [next, setNext] = useState<string>();
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<string>();
  const load = useCallback(
    async (f: Filters, cursor: string | undefined, size: number) => {
      setLoading(true);
      setError(undefined);
      try {
        const params = filterParams(f);
        const answer = await api<{ invoices: AdminInvoice[]; nextCursor?: string }>('GET', `/invoices${query({ ...params, limit: size, cursor })}`);
        setRows(answer.invoices);
        setNext(answer.nextCursor);
      } catch (err) {
        setError(describeError(err));
      } finally {
        setLoading(false);
      }
    },
    [],
  );

  useEffect(() => {
    void load(filters, cursors[page], pageSize);
  }, [filters, page, cursors, pageSize, load]);

  const search = (values: Filters) => {
    setFilters(values);
    setCursors([undefined]);
    setPage(0);
  };
  const exportParams = filterParams(filters);

  return (
    <Space orientation="vertical" size={16} style={{ width: '100%' }}>
      <Typography.Title level={3} style={{ margin: 0 }}>
        开票申请
      </Typography.Title>
      <Card>
        <Form form={form} layout="inline" onFinish={search} initialValues={filters} style={{ rowGap: 12 }}>
          <Form.Item name="orderNo" label="订单号">
            <Input allowClear placeholder="完整订单号" style={{ width: 160 }} data-testid="filter-order" />
          </Form.Item>
          <Form.Item name="status" label="状态">
            <Select allowClear placeholder="全部" style={{ width: 130 }} options={INVOICE_STATES.map((s) => ({ value: s, label: stateText(s) }))} />
          </Form.Item>
          <Form.Item name="range" label="申请日期">
            <DatePicker.RangePicker style={{ width: 240 }} />
          </Form.Item>
          <Form.Item name="title" label="抬头">
            <Input allowClear placeholder="包含" style={{ width: 160 }} />
          </Form.Item>
          <Form.Item name="taxNumber" label="税号">
            <Input allowClear style={{ width: 190 }} />
          </Form.Item>
          <Form.Item name="attention" valuePropName="checked">
            <Checkbox>
              <Tooltip title="系统已放弃自动处理、需要人工处理的申请（及原因）">仅看需处理</Tooltip>
            </Checkbox>
          </Form.Item>
          <Space>
            <Button type="primary" htmlType="submit" icon={<SearchOutlined />} data-testid="filter-search">
              查询
            </Button>
            <Button
              onClick={() => {
                form.resetFields();
                search({});
              }}
            >
              重置
            </Button>
            <Button icon={<DownloadOutlined />} href={`/api/admin/invoices/export${query(exportParams)}`} data-testid="export-csv">
              导出 CSV
            </Button>
            <Button icon={<FileExcelOutlined />} href={`/api/admin/invoices/export${query({ ...exportParams, format: 'xlsx' })}`} data-testid="export-xlsx">
              导出 Excel
            </Button>
          </Space>
        </Form>
      </Card>
      {error && <Alert type="error" showIcon message={error} />}
      <Card>
        <Table<AdminInvoice>
          rowKey="id"
          size="middle"
          loading={loading}
          dataSource={rows}
          pagination={false}
          scroll={{ x: 960 }}
          onRow={(r) => ({ onClick: () => go(`/invoices/${r.id}`), style: { cursor: 'pointer' } })}
          data-testid="invoice-table"
          columns={[
            { title: '订单号', dataIndex: 'orderNo', width: 150, render: (v: string, r) => <a href={`#/invoices/${r.id}`}>{v}</a> },
            {
              title: '状态',
              dataIndex: 'status',
              width: 130,
              render: (s: InvoiceState, r) => (
                <Space size={4}>
                  <Tag color={stateColor(s)}>{stateText(s)}</Tag>
                  {needsAttention(r) && (
                    <Tooltip title={r.attention?.reason}>
                      <Tag color="red">需处理</Tag>
                    </Tooltip>
                  )}
                </Space>
              ),
            },
            { title: '金额', dataIndex: 'amount', width: 110, align: 'right', render: (v: number) => yuan(v) },
            { title: '抬头', key: 'title', ellipsis: true, render: (_: unknown, r) => r.title?.name ?? <Typography.Text type="secondary">未填写</Typography.Text> },
            { title: '税号', key: 'tax', width: 190, render: (_: unknown, r) => r.title?.taxNumber ?? '' },
            { title: '发票号码', key: 'fphm', width: 110, render: (_: unknown, r) => r.invoice?.fphm ?? '' },
            { title: '申请时间', dataIndex: 'createdAt', width: 170, render: (v: string) => time(v) },
          ]}
        />
        <Space style={{ marginTop: 16, justifyContent: 'flex-end', width: '100%' }}>
          <Typography.Text type="secondary">第 {page + 1} 页</Typography.Text>
          <Button disabled={page === 0 || loading} onClick={() => setPage(page - 1)}>
            上一页
          </Button>
          <Button
            disabled={!next || loading}
            data-testid="next-page"
            onClick={() => {
              setCursors((c) => [...c.slice(0, page + 1), next]);
              setPage(page + 1);
            }}
          >
            下一页
          </Button>
          <Select
            value={pageSize}
            style={{ width: 110 }}
            onChange={(v) => {
              setPageSize(v);
              setCursors([undefined]);
              setPage(0);
            }}
            options={[20, 50, 100].map((n) => ({ value: n, label: `${n} 条/页` }))}
          />
        </Space>
      </Card>
    </Space>
  );
}
