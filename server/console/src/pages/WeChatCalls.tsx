import type { InvoiceState } from '@fapiao/shared';
import { Alert, Button, Card, Space, Table, Tag, Typography } from 'antd';
import { useCallback, useEffect, useState } from 'react';
import { api, describeError, query } from '../api';
import { actorText, stateText, time } from '../format';
import type { WeChatCall, WeChatCallPage } from '../types';

const PAGE = 50;

/** Every WeChat call made for the request (GET /invoices/:id/calls), newest first, a page at a time. */
export function WeChatCalls({ id, version }: { id: string; version: number }) {
  const [calls, setCalls] = useState<WeChatCall[]>([]);
  const [cursor, setCursor] = useState<string>();
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<string>();

  const load = useCallback(
    async (after?: string) => {
      setLoading(true);
      try {
        const page = await api<WeChatCallPage>('GET', `/invoices/${id}/calls${query({ limit: PAGE, cursor: after })}`);
        setCalls((shown) => (after ? [...shown, ...page.calls] : page.calls));
        setCursor(page.nextCursor);
        setError(undefined);
      } catch (err) {
        setError(describeError(err));
      } finally {
        setLoading(false);
      }
    },
    [id],
  );
  useEffect(() => {
    void load();
  }, [load, version]);

  const state = (s: InvoiceState | null | undefined) => (s ? stateText(s) : '—');
  return (
    <Card title="微信调用记录（每一次调用与应答，新在前）" size="small" data-testid="wechat-calls">
      {error && <Alert type="error" showIcon message={error} style={{ marginBottom: 12 }} />}
      <Table<WeChatCall>
        size="small"
        pagination={false}
        loading={loading}
        rowKey={(c) => `${c.at}-${c.api}-${c.by}-${c.durationMs}`}
        dataSource={calls}
        scroll={{ x: 960 }}
        locale={{ emptyText: '尚无微信调用' }}
        columns={[
          { title: '时间', dataIndex: 'at', width: 170, render: (v: string) => time(v) },
          { title: '接口', dataIndex: 'api', width: 230, render: (v: string) => <Typography.Text code>{v.replace(/^card\/invoice\//, '')}</Typography.Text> },
          {
            title: 'errcode',
            dataIndex: 'errcode',
            width: 90,
            render: (v: number) => <Tag color={v === 0 ? 'success' : 'error'}>{v}</Tag>,
          },
          { title: '应答', key: 'answer', render: (_: unknown, c) => [c.errmsg, c.summary !== c.errmsg ? c.summary : ''].filter(Boolean).join(' · ') },
          { title: '状态变化', key: 'states', width: 170, render: (_: unknown, c) => `${state(c.stateBefore)} → ${state(c.stateAfter)}` },
          { title: '发起', dataIndex: 'by', width: 110, render: (v: string) => actorText(v) },
          { title: '耗时', dataIndex: 'durationMs', width: 80, align: 'right', render: (v: number) => `${v} ms` },
        ]}
      />
      {cursor && (
        <Space style={{ marginTop: 12 }}>
          <Button loading={loading} onClick={() => void load(cursor)} data-testid="wechat-calls-more">
            加载更早的调用
          </Button>
        </Space>
      )}
    </Card>
  );
}
