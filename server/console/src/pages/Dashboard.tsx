import { INVOICE_STATES } from '@fapiao/shared';
import { Alert, Card, Col, Collapse, Empty, Row, Segmented, Spin, Statistic, Table, Typography } from 'antd';
import { useEffect, useMemo, useState } from 'react';
import { api, describeError } from '../api';
import { Chart } from '../Chart';
import { seconds, stateText, yuan } from '../format';
import { go } from '../router';
import type { DashboardData, PeriodSummary } from '../types';

/** The numbers behind a chart, folded under it. */
function Numbers<T extends object>({ rows, columns, testId }: { rows: T[]; columns: { title: string; dataIndex: keyof T & string; render?: (v: number) => string }[]; testId: string }) {
  return (
    <Collapse
      size="small"
      ghost
      items={[
        {
          key: 'n',
          label: '查看数据',
          children: <Table<T> size="small" pagination={false} rowKey={(r) => JSON.stringify(r)} dataSource={rows} columns={columns} data-testid={testId} scroll={{ y: 240 }} />,
        },
      ]}
    />
  );
}

export function Dashboard() {
  const [data, setData] = useState<DashboardData>();
  const [error, setError] = useState<string>();
  const [period, setPeriod] = useState<'today' | 'last30Days'>('today');
  useEffect(() => {
    api<DashboardData>('GET', '/dashboard').then(setData, (err: unknown) => setError(describeError(err)));
  }, []);

  const summary: PeriodSummary | undefined = data?.[period];
  const states = useMemo(() => (summary ? INVOICE_STATES.map((s) => ({ state: stateText(s), code: s, count: summary.byStatus[s] })) : []), [summary]);
  const dailyOption = useMemo(
    () =>
      data && {
        tooltip: { trigger: 'axis', renderMode: 'richText' },
        legend: { data: ['申请', '已开票', '失败'], top: 0 },
        grid: { left: 40, right: 16, top: 40, bottom: 30 },
        xAxis: { type: 'category', data: data.days.map((d) => d.day.slice(5)) },
        yAxis: { type: 'value', minInterval: 1 },
        series: [
          { name: '申请', type: 'bar', data: data.days.map((d) => d.requests), itemStyle: { color: '#91caff' } },
          { name: '已开票', type: 'bar', data: data.days.map((d) => d.issued), itemStyle: { color: '#07c160' } },
          { name: '失败', type: 'line', data: data.days.map((d) => d.failed), itemStyle: { color: '#ff4d4f' } },
        ],
      },
    [data],
  );
  const amountOption = useMemo(
    () =>
      data && {
        tooltip: { trigger: 'axis', renderMode: 'richText', valueFormatter: (v: number) => `¥${v.toFixed(2)}` },
        grid: { left: 60, right: 16, top: 20, bottom: 30 },
        xAxis: { type: 'category', data: data.days.map((d) => d.day.slice(5)) },
        yAxis: { type: 'value' },
        series: [{ name: '开票金额（元）', type: 'line', areaStyle: { opacity: 0.15 }, data: data.days.map((d) => d.issuedAmount / 100), itemStyle: { color: '#07c160' } }],
      },
    [data],
  );
  const stateOption = useMemo(
    () => ({
      tooltip: { trigger: 'item', renderMode: 'richText' },
      legend: { orient: 'vertical', left: 0, top: 'middle', bottom: 'auto', formatter: (name: string) => `${name}  ${states.find((s) => s.state === name)?.count ?? 0}` },
      series: [
        {
          type: 'pie',
          radius: ['45%', '75%'],
          center: ['65%', '50%'],
          label: { show: true, position: 'inside', formatter: '{c}', color: '#fff' },
          data: states.filter((s) => s.count > 0).map((s) => ({ name: s.state, value: s.count })),
        },
      ],
    }),
    [states],
  );

  if (error) return <Alert type="error" message={error} showIcon />;
  if (!data || !summary || !dailyOption || !amountOption) return <Spin />;

  return (
    <div data-testid="dashboard">
      <Row justify="space-between" align="middle" style={{ marginBottom: 16 }}>
        <Typography.Title level={3} style={{ margin: 0 }}>
          概览
        </Typography.Title>
        <Segmented
          value={period}
          onChange={(v) => setPeriod(v as 'today' | 'last30Days')}
          options={[
            { label: '今天', value: 'today' },
            { label: '近 30 天', value: 'last30Days' },
          ]}
        />
      </Row>
      {data.truncated && <Alert type="warning" showIcon message="近 30 天的申请过多，只统计了最新的部分" style={{ marginBottom: 16 }} />}
      <Row gutter={[16, 16]}>
        <Col xs={12} lg={6}>
          <Card>
            <Statistic title="开票申请" value={summary.requests} suffix="笔" data-testid="stat-requests" />
          </Card>
        </Col>
        <Col xs={12} lg={6}>
          <Card>
            <Statistic title={`已开票金额（${summary.issuedCount} 张）`} value={yuan(summary.issuedAmount)} data-testid="stat-issued" />
          </Card>
        </Col>
        <Col xs={12} lg={6}>
          <Card>
            <Statistic title="授权到开票 p50 / p90" value={`${seconds(summary.authToIssued.p50)} / ${seconds(summary.authToIssued.p90)}`} valueStyle={{ fontSize: 20 }} />
            <Typography.Text type="secondary">共 {summary.authToIssued.count} 张</Typography.Text>
          </Card>
        </Col>
        <Col xs={12} lg={6}>
          <Card hoverable onClick={() => go('/invoices?attention=1')}>
            <Statistic title="需要处理" value={summary.attention} suffix="笔" valueStyle={{ color: summary.attention ? '#cf1322' : undefined }} data-testid="stat-attention" />
            <Typography.Text type="secondary">开票失败或被标记待处理</Typography.Text>
          </Card>
        </Col>
        <Col xs={24} lg={14}>
          <Card title="近 30 天每日申请与开票">
            <Chart option={dailyOption} testId="chart-daily" />
            <Numbers
              testId="numbers-daily"
              rows={[...data.days].reverse()}
              columns={[
                { title: '日期', dataIndex: 'day' },
                { title: '申请', dataIndex: 'requests' },
                { title: '已开票', dataIndex: 'issued' },
                { title: '失败', dataIndex: 'failed' },
                { title: '开票金额', dataIndex: 'issuedAmount', render: (v: number) => yuan(v) },
              ]}
            />
          </Card>
        </Col>
        <Col xs={24} lg={10}>
          <Card title={`按状态（${period === 'today' ? '今天' : '近 30 天'}）`}>
            {summary.requests ? <Chart option={stateOption} testId="chart-states" /> : <Empty description="暂无申请" style={{ height: 248 }} />}
            <Numbers testId="numbers-states" rows={states} columns={[{ title: '状态', dataIndex: 'state' }, { title: '代码', dataIndex: 'code' }, { title: '笔数', dataIndex: 'count' }]} />
          </Card>
        </Col>
        <Col xs={24} lg={14}>
          <Card title="近 30 天每日开票金额">
            <Chart option={amountOption} height={220} />
            <Numbers
              testId="numbers-amount"
              rows={[...data.days].reverse()}
              columns={[
                { title: '日期', dataIndex: 'day' },
                { title: '开票金额', dataIndex: 'issuedAmount', render: (v: number) => yuan(v) },
              ]}
            />
          </Card>
        </Col>
        <Col xs={24} lg={10}>
          <Card title={`失败原因（${period === 'today' ? '今天' : '近 30 天'}）`}>
            <Table
              size="small"
              pagination={false}
              rowKey="reason"
              dataSource={summary.failures}
              locale={{ emptyText: '没有失败' }}
              columns={[
                { title: '原因', dataIndex: 'reason' },
                { title: '笔数', dataIndex: 'count', width: 80 },
              ]}
              data-testid="failures"
            />
          </Card>
        </Col>
      </Row>
    </div>
  );
}
