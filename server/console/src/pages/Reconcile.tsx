import { DownloadOutlined, PlayCircleOutlined } from '@ant-design/icons';
import type { InvoiceState } from '@fapiao/shared';
import { Alert, Button, Card, DatePicker, Progress, Space, Statistic, Table, Tag, Typography } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useState } from 'react';
import { api, ApiError, describeError, query } from '../api';
import { csvCell, download, stateText } from '../format';
import { mapPool } from '../pool';
import type { AdminInvoice } from '../types';

/** The states WeChat has (or may have) an invoice for: what the CLI's reconcile checks too. */
const RECONCILED: InvoiceState[] = ['ISSUING', 'ISSUED', 'OFFSETTING', 'OFFSET_FAILED'];

type Verdict = 'ok' | 'mismatch' | 'stuck' | 'moved' | 'unchecked';
interface Finding {
  id: string;
  orderNo: string;
  status: InvoiceState;
  verdict: Verdict;
  detail: string;
}

const VERDICTS: Record<Verdict, { text: string; color: string }> = {
  ok: { text: '一致', color: 'success' },
  mismatch: { text: '不一致', color: 'error' },
  stuck: { text: '卡住', color: 'warning' },
  moved: { text: '已变化', color: 'default' },
  unchecked: { text: '未能核对', color: 'error' },
};

/** Every request in the period and states, every page of it. */
async function requestsIn(since: Dayjs, until: Dayjs): Promise<AdminInvoice[]> {
  const all: AdminInvoice[] = [];
  for (const status of RECONCILED) {
    let cursor: string | undefined;
    do {
      const page = await api<{ invoices: AdminInvoice[]; nextCursor?: string }>(
        'GET',
        `/invoices${query({ status, createdAfter: since.format('YYYY-MM-DDTHH:mm:ssZ'), createdBefore: until.format('YYYY-MM-DDTHH:mm:ssZ'), limit: 500, cursor })}`,
      );
      all.push(...page.invoices);
      cursor = page.nextCursor;
    } while (cursor);
  }
  return all;
}

export function Reconcile() {
  const [range, setRange] = useState<[Dayjs, Dayjs]>([dayjs().subtract(6, 'day'), dayjs()]);
  const [progress, setProgress] = useState<{ done: number; total: number }>();
  const [findings, setFindings] = useState<Finding[]>();
  const [error, setError] = useState<string>();
  const [running, setRunning] = useState(false);

  const run = async () => {
    setRunning(true);
    setError(undefined);
    setFindings(undefined);
    try {
      const since = range[0].startOf('day');
      const until = range[1].add(1, 'day').startOf('day');
      const requests = await requestsIn(since, until);
      setProgress({ done: 0, total: requests.length });
      let done = 0;
      let fatal: unknown;
      const results = await mapPool(
        requests,
        4,
        async (r): Promise<Finding> => {
          const base = { id: r.id, orderNo: r.orderNo, status: r.status };
          try {
            const answer = await api<{ status: InvoiceState; verdict: 'ok' | 'mismatch' | 'stuck'; detail: string }>('POST', `/invoices/${r.id}/reconcile`);
            return { ...base, status: answer.status, verdict: answer.verdict, detail: answer.detail };
          } catch (err) {
            if (err instanceof ApiError && err.code === 'INVALID_STATE_TRANSITION') return { ...base, verdict: 'moved', detail: err.message };
            if (err instanceof ApiError && err.status !== 401 && err.status !== 403) return { ...base, verdict: 'unchecked', detail: `${err.code}: ${err.message}` };
            fatal ??= err;
            throw err;
          } finally {
            setProgress({ done: ++done, total: requests.length });
          }
        },
        () => fatal !== undefined,
      ).catch((err: unknown) => {
        throw err;
      });
      setFindings(results.filter((f): f is Finding => f !== undefined));
    } catch (err) {
      setError(describeError(err));
    } finally {
      setRunning(false);
    }
  };

  const count = (v: Verdict) => findings?.filter((f) => f.verdict === v).length ?? 0;
  const report = () => {
    const header = ['结论', '申请编号', '订单号', '状态', '说明'];
    const lines = [header, ...(findings ?? []).map((f) => [VERDICTS[f.verdict].text, f.id, f.orderNo, f.status, f.detail])];
    download(`reconcile-${range[0].format('YYYYMMDD')}-${range[1].format('YYYYMMDD')}.csv`, `\uFEFF${lines.map((l) => l.map(csvCell).join(',')).join('\r\n')}\r\n`);
  };

  return (
    <Space direction="vertical" size={16} style={{ width: '100%' }}>
      <Typography.Title level={3} style={{ margin: 0 }}>
        对账
      </Typography.Title>
      <Card>
        <Typography.Paragraph type="secondary">
          向微信逐一查询（queryinvoceinfo）所选期间内创建的、处于开票中、已开票、红冲中、红冲失败的每一笔申请，比较微信与本系统的记录，与命令行 ops invoices reconcile 相同。只查询，不做改动。
        </Typography.Paragraph>
        <Space wrap>
          <DatePicker.RangePicker value={range} onChange={(v) => v?.[0] && v[1] && setRange([v[0], v[1]])} allowClear={false} />
          <Button type="primary" icon={<PlayCircleOutlined />} loading={running} onClick={() => void run()} data-testid="reconcile-run">
            开始对账
          </Button>
          <Button icon={<DownloadOutlined />} disabled={!findings} onClick={report} data-testid="reconcile-report">
            下载对账报告
          </Button>
        </Space>
        {progress && (
          <Progress style={{ marginTop: 16 }} percent={progress.total ? Math.round((progress.done / progress.total) * 100) : 100} format={() => `${progress.done} / ${progress.total}`} data-testid="reconcile-progress" />
        )}
      </Card>
      {error && <Alert type="error" showIcon message={error} />}
      {findings && (
        <Card>
          <Space size={32} wrap style={{ marginBottom: 16 }}>
            <Statistic title="已核对" value={findings.length - count('unchecked')} />
            <Statistic title="一致" value={count('ok')} valueStyle={{ color: '#3f8600' }} />
            <Statistic title="不一致" value={count('mismatch')} valueStyle={{ color: count('mismatch') ? '#cf1322' : undefined }} />
            <Statistic title="卡住" value={count('stuck')} />
            <Statistic title="未能核对" value={count('unchecked')} />
            <Statistic title="期间已变化" value={count('moved')} />
          </Space>
          {count('mismatch') + count('stuck') + count('unchecked') > 0 ? (
            <Alert type="warning" showIcon message="有需要人工处理的申请，见下表" style={{ marginBottom: 16 }} />
          ) : (
            <Alert type="success" showIcon message="全部一致" style={{ marginBottom: 16 }} data-testid="reconcile-clean" />
          )}
          <Table<Finding>
            rowKey="id"
            size="small"
            dataSource={[...findings].sort((a, b) => Number(a.verdict === 'ok') - Number(b.verdict === 'ok'))}
            columns={[
              { title: '结论', dataIndex: 'verdict', width: 100, render: (v: Verdict) => <Tag color={VERDICTS[v].color}>{VERDICTS[v].text}</Tag> },
              { title: '订单号', dataIndex: 'orderNo', width: 150, render: (v: string, f) => <a href={`#/invoices/${f.id}`}>{v}</a> },
              { title: '状态', dataIndex: 'status', width: 100, render: (s: InvoiceState) => stateText(s) },
              { title: '说明', dataIndex: 'detail' },
            ]}
          />
        </Card>
      )}
    </Space>
  );
}
