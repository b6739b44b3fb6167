import { DownloadOutlined, PlayCircleOutlined, ReloadOutlined } from '@ant-design/icons';
import type { InvoiceState } from '@fapiao/shared';
import { Alert, Button, Card, DatePicker, Progress, Space, Statistic, Table, Tag, Typography } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useCallback, useEffect, useState } from 'react';
import { api, ApiError, describeError } from '../api';
import { actorText, stateText, time } from '../format';
import { useCan } from '../session';
import type { ReconcileRunDetail, ReconcileVerdict } from '../types';

type Verdict = ReconcileVerdict;
/** A reconcile run as the server keeps it (GET /reconcile-runs/:id; the list leaves out `problems`). */
type Run = Omit<ReconcileRunDetail, 'problems'> & { problems?: ReconcileRunDetail['problems'] };

const VERDICTS: Record<Verdict, { text: string; color: string }> = {
  ok: { text: '一致', color: 'success' },
  mismatch: { text: '不一致', color: 'error' },
  stuck: { text: '卡住', color: 'warning' },
  moved: { text: '已变化', color: 'default' },
  unchecked: { text: '未能核对', color: 'error' },
};
const STATUS: Record<Run['status'], { text: string; color: string }> = {
  running: { text: '进行中', color: 'processing' },
  done: { text: '已完成', color: 'success' },
  failed: { text: '失败', color: 'error' },
  interrupted: { text: '已中断', color: 'warning' },
};
/** How often a running run's progress is asked for. */
const POLL_MS = 1_000;

/** Whole days as days (the page starts those); a period the API was given in hours, with its times. */
function periodText(run: Run): string {
  const [from, to] = [dayjs(run.from), dayjs(run.to)];
  if (from.isSame(from.startOf('day')) && to.isSame(to.startOf('day'))) return `${from.format('YYYY-MM-DD')} 至 ${to.subtract(1, 'day').format('YYYY-MM-DD')}`;
  return `${from.format('YYYY-MM-DD HH:mm')} 至 ${to.format('YYYY-MM-DD HH:mm')}`;
}

/**
 * Reconcile a period: the server runs it (POST /reconcile-runs) and keeps it in the database, so
 * a reload, or a colleague opening this page, follows the same run; one run per period at a time.
 */
export function Reconcile() {
  const canAct = useCan('operator');
  const [range, setRange] = useState<[Dayjs, Dayjs]>([dayjs().subtract(6, 'day'), dayjs()]);
  const [runs, setRuns] = useState<Run[]>([]);
  const [current, setCurrent] = useState<Run>();
  const [error, setError] = useState<string>();
  const [starting, setStarting] = useState(false);

  const loadRuns = useCallback(async () => {
    const { runs: latest } = await api<{ runs: Run[] }>('GET', '/reconcile-runs?limit=10');
    setRuns(latest);
    return latest;
  }, []);
  const follow = useCallback(async (id: string) => setCurrent(await api<Run>('GET', `/reconcile-runs/${id}`)), []);

  useEffect(() => {
    loadRuns().then(
      (latest) => latest[0] && follow(latest[0].id),
      (err: unknown) => setError(describeError(err)),
    );
  }, [loadRuns, follow]);

  // While the run goes on, its progress is read again every POLL_MS.
  useEffect(() => {
    if (current?.status !== 'running') return;
    const timer = setTimeout(() => {
      follow(current.id)
        .then(() => loadRuns())
        .catch((err: unknown) => setError(describeError(err)));
    }, POLL_MS);
    return () => clearTimeout(timer);
  }, [current, follow, loadRuns]);

  const start = async () => {
    setStarting(true);
    setError(undefined);
    const from = range[0].startOf('day').format('YYYY-MM-DDTHH:mm:ssZ');
    const to = range[1].add(1, 'day').startOf('day').format('YYYY-MM-DDTHH:mm:ssZ');
    try {
      const run = await api<Run>('POST', '/reconcile-runs', { from, to });
      setCurrent(run);
      await loadRuns();
    } catch (err) {
      if (err instanceof ApiError && err.code === 'RECONCILE_ALREADY_RUNNING') {
        // Someone (maybe a colleague) is reconciling this period: follow their run instead.
        const running = (await loadRuns()).find((r) => r.status === 'running' && dayjs(r.from).isSame(from) && dayjs(r.to).isSame(to));
        if (running) await follow(running.id);
        setError('该期间已有对账正在进行，已切换到该对账的进度');
      } else {
        setError(describeError(err));
      }
    } finally {
      setStarting(false);
    }
  };

  const percent = current && current.total ? Math.floor((current.done / current.total) * 100) : 100;
  return (
    <Space orientation="vertical" size={16} style={{ width: '100%' }}>
      <Typography.Title level={3} style={{ margin: 0 }}>
        对账
      </Typography.Title>
      <Card>
        <Typography.Paragraph type="secondary">
          由服务器向微信逐一查询（queryinvoceinfo）所选期间内创建的、处于开票中、已开票、红冲中、红冲失败的每一笔申请，比较微信与本系统的记录，与命令行 ops invoices reconcile
          相同。只查询，不做改动。对账在服务器上进行并保存：刷新页面或其他同事打开本页，看到的是同一次对账；同一期间同时只能有一次对账。
        </Typography.Paragraph>
        <Space wrap>
          <DatePicker.RangePicker value={range} onChange={(v) => v?.[0] && v[1] && setRange([v[0], v[1]])} allowClear={false} />
          <Button type="primary" icon={<PlayCircleOutlined />} loading={starting} disabled={!canAct} onClick={() => void start()} data-testid="reconcile-run">
            开始对账
          </Button>
        </Space>
      </Card>
      {error && <Alert type="warning" showIcon message={error} closable onClose={() => setError(undefined)} data-testid="reconcile-error" />}
      {current && (
        <Card
          title={`对账 ${periodText(current)}`}
          extra={
            <Space>
              <Tag color={STATUS[current.status].color} data-testid="reconcile-status">
                {STATUS[current.status].text}
              </Tag>
              <Button
                type="primary"
                icon={<DownloadOutlined />}
                disabled={current.status === 'running'}
                {...(current.status === 'running' ? {} : { href: `/api/admin/reconcile-runs/${current.id}/report` })}
                data-testid="reconcile-report"
              >
                下载对账报告
              </Button>
            </Space>
          }
        >
          <Typography.Paragraph type="secondary">
            {actorText(current.startedBy)} 于 {time(current.startedAt)} 发起{current.finishedAt ? `，${time(current.finishedAt)} 结束` : ''}
          </Typography.Paragraph>
          <Progress
            percent={percent}
            status={current.status === 'running' ? 'active' : current.status === 'done' ? 'success' : 'exception'}
            format={() => `${current.done} / ${current.total}`}
            data-testid="reconcile-progress"
          />
          {current.status === 'interrupted' && <Alert type="warning" showIcon message="运行这次对账的服务器已停止，对账未完成：请重新开始该期间的对账" style={{ marginTop: 12 }} />}
          {current.status === 'failed' && <Alert type="error" showIcon message={`对账失败：${current.error ?? ''}`} style={{ marginTop: 12 }} />}
          <Space size={32} wrap style={{ margin: '16px 0' }}>
            <Statistic title="一致" value={current.counts.ok} styles={{ content: { color: '#3f8600' } }} />
            <Statistic title="不一致" value={current.counts.mismatch} styles={{ content: { color: current.counts.mismatch ? '#cf1322' : undefined } }} />
            <Statistic title="卡住" value={current.counts.stuck} />
            <Statistic title="未能核对" value={current.counts.unchecked} />
            <Statistic title="期间已变化" value={current.counts.moved} />
            {current.attention !== undefined && <Statistic title="需处理（全部）" value={current.attention} />}
          </Space>
          {current.status === 'done' &&
            (current.problems?.length ? (
              <Alert type="warning" showIcon message="有需要人工处理的申请，见下表" style={{ marginBottom: 16 }} />
            ) : current.needsHuman ? (
              <Alert
                type="warning"
                showIcon
                style={{ marginBottom: 16 }}
                message={
                  <>
                    期间内的申请与微信一致；另有 {current.attention} 笔申请标记为需处理：<a href="#/invoices?attention=1">查看需处理的申请</a>
                  </>
                }
              />
            ) : (
              <Alert type="success" showIcon message="全部一致，没有需要处理的申请" style={{ marginBottom: 16 }} data-testid="reconcile-clean" />
            ))}
          {!!current.problems?.length && (
            <Table
              rowKey="requestId"
              size="small"
              dataSource={current.problems}
              columns={[
                { title: '结论', dataIndex: 'verdict', width: 100, render: (v: Verdict) => <Tag color={VERDICTS[v].color}>{VERDICTS[v].text}</Tag> },
                { title: '订单号', dataIndex: 'orderNo', width: 150, render: (v: string, f) => <a href={`#/invoices/${f.requestId}`}>{v}</a> },
                { title: '状态', dataIndex: 'status', width: 100, render: (s: InvoiceState) => stateText(s) },
                { title: '说明', dataIndex: 'detail' },
              ]}
            />
          )}
        </Card>
      )}
      <Card
        title="最近的对账"
        size="small"
        extra={
          <Button size="small" icon={<ReloadOutlined />} onClick={() => void loadRuns()}>
            刷新
          </Button>
        }
      >
        <Table<Run>
          rowKey="id"
          size="small"
          pagination={false}
          dataSource={runs}
          data-testid="reconcile-runs"
          locale={{ emptyText: '还没有对账记录' }}
          onRow={(run) => ({ onClick: () => void follow(run.id), style: { cursor: 'pointer' } })}
          columns={[
            { title: '期间', key: 'period', render: (_: unknown, run) => periodText(run) },
            { title: '状态', dataIndex: 'status', width: 90, render: (s: Run['status']) => <Tag color={STATUS[s].color}>{STATUS[s].text}</Tag> },
            { title: '进度', key: 'progress', width: 100, render: (_: unknown, run) => `${run.done} / ${run.total}` },
            { title: '发起', dataIndex: 'startedBy', width: 120, render: (v: string) => actorText(v) },
            { title: '开始时间', dataIndex: 'startedAt', width: 170, render: (v: string) => time(v) },
          ]}
        />
      </Card>
    </Space>
  );
}
