import { InboxOutlined } from '@ant-design/icons';
import { Alert, Card, Descriptions, Progress, Space, Statistic, Table, Typography, Upload } from 'antd';
import { useState } from 'react';
import { refusedOrder, summarizeImport, type ImportOutcome, type ImportSummary } from '../../../../scripts/ops/import-outcome';
import { CSV_COLUMNS, parseOrdersCsv, parseOrdersJson, type OrdersFile, type SourceOrder } from '../../../../scripts/ops/orders-file';
import { api, ApiError, describeError } from '../api';
import { mapPool } from '../pool';
import { useCan } from '../session';

/** The CLI's report, and the columns of the file the import did not read. */
type Summary = ImportSummary & { ignoredColumns: string[] };

/**
 * Orders from a CSV or JSON file, read here with the ops CLI's own reader and sent with
 * POST /api/admin/orders 4 at a time: the same created / skipped / invalid report as
 * `ops orders import`, for the same file.
 */
export function OrdersImport() {
  const canAct = useCan('operator');
  const [summary, setSummary] = useState<Summary>();
  const [progress, setProgress] = useState<{ done: number; total: number }>();
  const [error, setError] = useState<string>();

  const importFile = async (file: File) => {
    setError(undefined);
    setSummary(undefined);
    let source: OrdersFile;
    try {
      const text = await file.text();
      if (/\.json$/i.test(file.name)) source = parseOrdersJson(text, file.name);
      else if (/\.(csv|txt)$/i.test(file.name)) source = await parseOrdersCsv(text, file.name);
      else throw new Error(`${file.name}：文件名须以 .csv 或 .json 结尾`);
    } catch (err) {
      setError(`无法读取文件：${err instanceof Error ? err.message : String(err)}`);
      return;
    }
    setProgress({ done: 0, total: source.orders.length });
    let done = 0;
    let fatal: unknown;
    const outcomes = await mapPool(
      source.orders,
      4,
      async (entry: SourceOrder): Promise<ImportOutcome> => {
        try {
          if (!entry.order) return { kind: 'invalid', code: 'ROW_UNREADABLE', reason: entry.problem ?? 'cannot be read' };
          try {
            const answer = await api<{ created: boolean }>('POST', '/orders', entry.order);
            return { kind: answer.created ? 'created' : 'skipped' };
          } catch (err) {
            const refused = err instanceof ApiError ? refusedOrder(err.code, err.message, entry) : undefined;
            if (refused) return refused;
            fatal ??= err;
            return { kind: 'failed' };
          }
        } finally {
          setProgress({ done: ++done, total: source.orders.length });
        }
      },
      () => fatal !== undefined,
    );
    const result: Summary = { ...summarizeImport({ file: file.name, format: source.format, rows: source.rows }, source.orders, outcomes), ignoredColumns: source.ignoredColumns };
    setSummary(result);
    if (fatal) setError(`导入中断：${describeError(fatal)}。修复后重新上传同一文件即可：已导入的订单会被跳过。`);
  };

  return (
    <Space orientation="vertical" size={16} style={{ width: '100%' }}>
      <Typography.Title level={3} style={{ margin: 0 }}>
        订单导入
      </Typography.Title>
      <Card>
        <div data-testid="orders-upload">
        <Upload.Dragger
          accept=".csv,.json,.txt"
          showUploadList={false}
          disabled={!canAct}
          beforeUpload={(file) => {
            void importFile(file);
            return false;
          }}
        >
          <p className="ant-upload-drag-icon">
            <InboxOutlined />
          </p>
          <p className="ant-upload-text">{canAct ? '点击或拖入 CSV / JSON 订单文件' : '只读账号不能导入订单'}</p>
          <p className="ant-upload-hint">可重复导入：已存在且内容相同的订单会被跳过；有问题的订单逐条列出原因，其余照常导入。</p>
        </Upload.Dragger>
        </div>
        <Descriptions size="small" column={1} style={{ marginTop: 16 }} title="CSV 格式：每行一个商品，同一订单号的多行为一个订单">
          {Object.entries(CSV_COLUMNS).map(([name, c]) => (
            <Descriptions.Item key={name} label={`${name}${c.required ? '（必填）' : ''}`}>
              {c.help}
            </Descriptions.Item>
          ))}
        </Descriptions>
        {progress && <Progress percent={progress.total ? Math.round((progress.done / progress.total) * 100) : 100} format={() => `${progress.done} / ${progress.total}`} />}
      </Card>
      {error && <Alert type="error" showIcon message={error} data-testid="import-error" />}
      {summary && (
        <Card title={`${summary.file}：${summary.orders} 个订单，${summary.rows} ${summary.format === 'csv' ? '行' : '项'}`} data-testid="import-summary">
          {summary.ignoredColumns.length > 0 && <Alert type="info" showIcon message={`已忽略的列：${summary.ignoredColumns.join(', ')}`} style={{ marginBottom: 16 }} />}
          <Space size={48} wrap>
            <Statistic title="新建 created" value={summary.created} styles={{ content: { color: '#3f8600' } }} data-testid="import-created" />
            <Statistic title="跳过 skipped（已存在，未变）" value={summary.skipped} data-testid="import-skipped" />
            <Statistic title="无效 invalid（未导入）" value={summary.invalid.length} styles={{ content: { color: summary.invalid.length ? '#cf1322' : undefined } }} data-testid="import-invalid" />
            {summary.conflicts.length > 0 && <Statistic title="冲突 conflict（已存在且内容不同，未改动）" value={summary.conflicts.length} styles={{ content: { color: '#d46b08' } }} data-testid="import-conflicts" />}
            {summary.notAttempted > 0 && <Statistic title="未发送（导入中断）" value={summary.notAttempted} />}
          </Space>
          {summary.invalid.length > 0 && (
            <Table
              style={{ marginTop: 16 }}
              size="small"
              pagination={false}
              rowKey={(r) => r.where + (r.orderNo ?? '')}
              dataSource={summary.invalid}
              data-testid="import-invalid-rows"
              columns={[
                { title: '位置', dataIndex: 'where', width: 120 },
                { title: '订单号', dataIndex: 'orderNo', width: 140 },
                { title: '代码', dataIndex: 'code', width: 170 },
                { title: '原因', dataIndex: 'reason' },
              ]}
            />
          )}
          {summary.conflicts.length > 0 && (
            <Table
              style={{ marginTop: 16 }}
              size="small"
              pagination={false}
              title={() => '冲突（订单已存在且内容不同，导入不会修改已有订单）'}
              rowKey={(r) => r.where + (r.orderNo ?? '')}
              dataSource={summary.conflicts}
              data-testid="import-conflict-rows"
              columns={[
                { title: '位置', dataIndex: 'where', width: 120 },
                { title: '订单号', dataIndex: 'orderNo', width: 140 },
                { title: '原因', dataIndex: 'reason' },
              ]}
            />
          )}
        </Card>
      )}
    </Space>
  );
}
