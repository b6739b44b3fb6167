import { ArrowLeftOutlined, ReloadOutlined } from '@ant-design/icons';
import type { InvoiceState } from '@fapiao/shared';
import { App, Alert, Button, Card, Col, Descriptions, Empty, Input, Modal, Row, Space, Spin, Table, Tag, Timeline, Tooltip, Typography } from 'antd';
import { useCallback, useEffect, useState } from 'react';
import { api, describeError } from '../api';
import { actorText, stateColor, stateText, time, yuan } from '../format';
import { go } from '../router';
import { useCan } from '../session';
import type { AdminInvoice, AdminOrder } from '../types';
import { needsAttention } from './Invoices';
import { WeChatCalls } from './WeChatCalls';

interface ReconcileAnswer {
  verdict: 'ok' | 'mismatch' | 'stuck';
  detail: string;
  wechat: Record<string, unknown>;
}

/** What each action makes WeChat do, said before it is done. */
const ACTIONS = {
  retry: {
    label: '重试',
    states: ['ISSUE_FAILED', 'OFFSET_FAILED'] as InvoiceState[],
    confirm:
      '开票失败时：将以同一开票流水号（fpqqlsh）再次向微信发送开票请求（makeoutinvoice）；红冲失败时：将以同一红冲流水号再次发送红冲请求（clearoutinvoice）。若微信其实已完成，不会重复，系统会先查询（queryinvoceinfo）再决定。',
  },
  offset: {
    label: '红冲',
    states: ['ISSUED'] as InvoiceState[],
    confirm: '将向微信发送红冲请求（clearoutinvoice），开具一张红字发票冲销这张蓝字发票；买家卡包中的发票将作废。此操作不可撤销，通常用于退款之后。',
  },
  reconcile: {
    label: '向微信核对',
    states: ['ISSUING', 'ISSUED', 'OFFSETTING', 'OFFSET_FAILED'] as InvoiceState[],
    confirm: '将向微信查询这张发票（queryinvoceinfo），比较微信与本系统的记录。只查询，不做任何改动。',
  },
};
const REJECTABLE: InvoiceState[] = ['AUTHORIZED', 'ISSUE_FAILED'];

export function InvoiceDetail({ id }: { id: string }) {
  const { message, modal } = App.useApp();
  const canAct = useCan('operator');
  const [request, setRequest] = useState<AdminInvoice>();
  const [order, setOrder] = useState<AdminOrder>();
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState<string>();
  const [answer, setAnswer] = useState<ReconcileAnswer>();
  const [rejecting, setRejecting] = useState(false);
  const [resolving, setResolving] = useState(false);
  const [note, setNote] = useState('');
  const [reason, setReason] = useState('');
  // Bumped on every reload, so the calls table reloads with the request.
  const [version, setVersion] = useState(0);

  const load = useCallback(async () => {
    try {
      const r = await api<AdminInvoice>('GET', `/invoices/${id}`);
      setRequest(r);
      setVersion((v) => v + 1);
      setOrder(await api<AdminOrder>('GET', `/orders/${encodeURIComponent(r.orderNo)}`).catch(() => undefined));
    } catch (err) {
      setError(describeError(err));
    }
  }, [id]);
  useEffect(() => {
    void load();
  }, [load]);

  const act = async (name: string, run: () => Promise<unknown>, done: string) => {
    setBusy(name);
    try {
      await run();
      void message.success(done);
      await load();
    } catch (err) {
      modal.error({ title: '操作未完成', content: describeError(err) });
      await load();
    } finally {
      setBusy(undefined);
    }
  };
  const confirmThen = (key: keyof typeof ACTIONS) =>
    modal.confirm({
      title: `确认${ACTIONS[key].label}？`,
      content: ACTIONS[key].confirm,
      okText: `确认${ACTIONS[key].label}`,
      cancelText: '取消',
      okButtonProps: { danger: key === 'offset', 'data-testid': `confirm-${key}` },
      onOk: () =>
        key === 'reconcile'
          ? act(key, async () => setAnswer(await api<ReconcileAnswer>('POST', `/invoices/${id}/reconcile`)), '已向微信核对')
          : act(key, () => api('POST', `/invoices/${id}/${key}`), `已${ACTIONS[key].label}：${key === 'retry' ? '已重新提交微信' : '红冲进行中'}`),
    });

  if (error) return <Alert type="error" showIcon message={error} action={<Button onClick={() => go('/invoices')}>返回列表</Button>} />;
  if (!request) return <Spin />;
  const actionButton = (key: keyof typeof ACTIONS) => {
    const allowedHere = ACTIONS[key].states.includes(request.status);
    const readOnly = !canAct; // every action, reconcile too, is a POST the server allows operators only
    const button = (
      <Button key={key} danger={key === 'offset'} disabled={!allowedHere || readOnly} loading={busy === key} onClick={() => {
          confirmThen(key);
        }} data-testid={`action-${key}`}>
        {ACTIONS[key].label}
      </Button>
    );
    return readOnly ? (
      <Tooltip key={key} title="只读账号不能操作">
        {button}
      </Tooltip>
    ) : (
      button
    );
  };

  return (
    <Space orientation="vertical" size={16} style={{ width: '100%' }} data-testid="invoice-detail">
      <Space wrap>
        <Button icon={<ArrowLeftOutlined />} onClick={() => go('/invoices')}>
          返回列表
        </Button>
        <Typography.Title level={3} style={{ margin: 0 }}>
          订单 {request.orderNo}
        </Typography.Title>
        <Tag color={stateColor(request.status)} data-testid="detail-status">
          {stateText(request.status)}
        </Tag>
        {needsAttention(request) && <Tag color="red">需处理</Tag>}
        <Button icon={<ReloadOutlined />} onClick={() => void load()}>
          刷新
        </Button>
      </Space>
      {request.attention && (
        <Alert
          type="error"
          showIcon
          data-testid="attention"
          message={`需要人工处理（${request.attention.code}，${stateText(request.attention.state)}时标记，${time(request.attention.since)}）`}
          description={request.attention.reason}
        />
      )}
      <Card title="操作" size="small">
        <Space wrap>
          <Tooltip title={!canAct ? '只读账号不能操作' : undefined}>
            <Button
              disabled={!REJECTABLE.includes(request.status) || !canAct}
              loading={busy === 'reject'}
              onClick={() => {
                setReason('');
                setRejecting(true);
              }}
              data-testid="action-reject"
            >
              驳回
            </Button>
          </Tooltip>
          {actionButton('retry')}
          {actionButton('offset')}
          {actionButton('reconcile')}
          <Tooltip title={!canAct ? '只读账号不能操作' : undefined}>
            <Button disabled={!canAct || !needsAttention(request)} onClick={() => setResolving(true)} data-testid="action-resolve">
              标记已处理
            </Button>
          </Tooltip>
          {!canAct && <Typography.Text type="secondary">当前为只读账号：可查看，不能操作</Typography.Text>}
        </Space>
      </Card>
      <Row gutter={[16, 16]}>
        <Col xs={24} xl={12}>
          <Card title="开票申请" size="small">
            <Descriptions column={1} size="small" bordered styles={{ label: { width: 110 } }}>
              <Descriptions.Item label="申请编号">{request.id}</Descriptions.Item>
              <Descriptions.Item label="金额">{yuan(request.amount)}</Descriptions.Item>
              <Descriptions.Item label="授权页类型">{['本程序填写抬头（0）', '微信收集抬头（1）', '交给开票平台（2）'][request.type] ?? request.type}</Descriptions.Item>
              <Descriptions.Item label="申请时间">{time(request.createdAt)}</Descriptions.Item>
              <Descriptions.Item label="授权时间">{time(request.authorizedAt) || '—'}</Descriptions.Item>
              {request.rejectReason && <Descriptions.Item label="驳回原因">{request.rejectReason}</Descriptions.Item>}
              {request.invoice && (
                <Descriptions.Item label="发票">
                  代码 {request.invoice.fpdm} 号码 {request.invoice.fphm}，校验码 {request.invoice.jym}，开票日期 {request.invoice.kprq}
                </Descriptions.Item>
              )}
              {request.offset?.invoice && (
                <Descriptions.Item label="红字发票">
                  代码 {request.offset.invoice.fpdm} 号码 {request.offset.invoice.fphm}
                </Descriptions.Item>
              )}
            </Descriptions>
          </Card>
        </Col>
        <Col xs={24} xl={12}>
          <Card title="抬头" size="small">
            {request.title ? (
              <Descriptions column={1} size="small" bordered>
                <Descriptions.Item label="类型">{request.title.kind === 'company' ? '单位' : '个人'}</Descriptions.Item>
                <Descriptions.Item label="名称">{request.title.name}</Descriptions.Item>
                {request.title.taxNumber && <Descriptions.Item label="税号">{request.title.taxNumber}</Descriptions.Item>}
                {request.title.address && <Descriptions.Item label="地址">{request.title.address}</Descriptions.Item>}
                {request.title.phone && <Descriptions.Item label="电话">{request.title.phone}</Descriptions.Item>}
                {request.title.bankName && <Descriptions.Item label="开户行">{request.title.bankName}</Descriptions.Item>}
                {request.title.bankAccount && <Descriptions.Item label="账号">{request.title.bankAccount}</Descriptions.Item>}
                {request.title.email && <Descriptions.Item label="邮箱">{request.title.email}</Descriptions.Item>}
              </Descriptions>
            ) : (
              <Empty description="买家尚未提供抬头（授权后由微信提供）" />
            )}
          </Card>
        </Col>
        <Col xs={24} xl={12}>
          <Card title="订单" size="small">
            {order ? (
              <>
                <Descriptions column={2} size="small">
                  <Descriptions.Item label="订单号">{order.orderNo}</Descriptions.Item>
                  <Descriptions.Item label="金额">{yuan(order.amount)}</Descriptions.Item>
                  <Descriptions.Item label="下单时间">{time(order.createdAt)}</Descriptions.Item>
                  <Descriptions.Item label="申请次数">{order.requestCount}</Descriptions.Item>
                  <Descriptions.Item label="买家 openid" span={2}>
                    <Typography.Text copyable>{order.openid}</Typography.Text>
                  </Descriptions.Item>
                  {order.refundedAt && <Descriptions.Item label="退款时间">{time(order.refundedAt)}</Descriptions.Item>}
                </Descriptions>
                <Table
                  size="small"
                  pagination={false}
                  rowKey={(r) => r.name + r.spbm}
                  dataSource={order.items}
                  columns={[
                    { title: '商品', dataIndex: 'name' },
                    { title: '税收分类编码', dataIndex: 'spbm' },
                    { title: '数量', dataIndex: 'quantity', align: 'right' },
                    { title: '单价', dataIndex: 'unitPrice', align: 'right', render: (v: number) => yuan(v) },
                    { title: '税率', dataIndex: 'taxRate', align: 'right', render: (v: string) => `${Math.round(Number(v) * 10000) / 100}%` },
                  ]}
                />
              </>
            ) : (
              <Spin />
            )}
          </Card>
        </Col>
        <Col xs={24} xl={12}>
          <Card title="状态记录" size="small">
            <Timeline
              data-testid="timeline"
              items={request.history.map((h) => ({
                color: h.to === 'ISSUED' ? 'green' : ['ISSUE_FAILED', 'OFFSET_FAILED', 'REJECTED', 'AUTH_FAILED'].includes(h.to) ? 'red' : 'blue',
                content: (
                  <>
                    <div>
                      <b>{stateText(h.to)}</b> <Typography.Text type="secondary">{time(h.at)}</Typography.Text>
                    </div>
                    <div>
                      {actorText(h.by)} · {h.event}
                      {h.detail ? ` · ${h.detail}` : ''}
                    </div>
                  </>
                ),
              }))}
            />
          </Card>
        </Col>
        <Col xs={24} xl={12}>
          <Card title="微信订单与流水号" size="small">
            <Descriptions column={1} size="small" bordered>
              <Descriptions.Item label="微信订单号 order_id">{request.wxOrderId}</Descriptions.Item>
              <Descriptions.Item label="开票流水号 fpqqlsh">{request.fpqqlsh}</Descriptions.Item>
              {request.offset && <Descriptions.Item label="红冲流水号">{request.offset.fpqqlsh}</Descriptions.Item>}
              <Descriptions.Item label="当前步骤尝试次数">{request.attempts}</Descriptions.Item>
              {request.nextActionAt && <Descriptions.Item label="下次处理">{time(request.nextActionAt)}</Descriptions.Item>}
              <Descriptions.Item label="最近错误">
                {request.lastError ? (
                  <Typography.Text type="danger">
                    {request.lastError.code}：{request.lastError.message}（{time(request.lastError.at)}）
                  </Typography.Text>
                ) : (
                  '无'
                )}
              </Descriptions.Item>
            </Descriptions>
            {answer && (
              <Alert
                style={{ marginTop: 12 }}
                type={answer.verdict === 'ok' ? 'success' : 'warning'}
                showIcon
                data-testid="reconcile-answer"
                message={`微信核对：${answer.verdict === 'ok' ? '一致' : answer.verdict === 'mismatch' ? '不一致' : '卡住'}，${answer.detail}`}
                description={<pre style={{ margin: 0, whiteSpace: 'pre-wrap', fontSize: 12 }}>{JSON.stringify(answer.wechat, null, 2)}</pre>}
              />
            )}
          </Card>
          <Card title="操作记录" size="small" style={{ marginTop: 16 }}>
            <Table
              size="small"
              pagination={false}
              rowKey={(a) => a.at + a.action}
              dataSource={request.audit ?? []}
              locale={{ emptyText: '没有人工操作' }}
              data-testid="audit"
              columns={[
                { title: '时间', dataIndex: 'at', render: (v: string) => time(v), width: 170 },
                { title: '操作人', dataIndex: 'actor', render: (v: string) => actorText(v) },
                { title: '操作', dataIndex: 'action' },
              ]}
            />
          </Card>
        </Col>
        <Col xs={24}>
          <WeChatCalls id={id} version={version} />
        </Col>
        <Col xs={24} xl={12}>
          <Card title="发票 PDF" size="small">
            {request.invoice ? (
              <iframe title="发票 PDF" src={`/api/admin/invoices/${id}/pdf`} style={{ width: '100%', height: 520, border: '1px solid #f0f0f0' }} data-testid="pdf" />
            ) : (
              <Empty description="尚未开出发票" />
            )}
          </Card>
        </Col>
      </Row>
      <Modal
        open={resolving}
        title="标记为已处理"
        okText="确认"
        cancelText="取消"
        okButtonProps={{ disabled: !note.trim(), 'data-testid': 'confirm-resolve' }}
        confirmLoading={busy === 'resolve'}
        onCancel={() => setResolving(false)}
        onOk={() => void act('resolve', () => api('POST', `/invoices/${id}/resolve`, { note: note.trim() }), '已标记为已处理').then(() => setResolving(false))}
      >
        <Typography.Paragraph>只清除"需处理"标记，不调用微信、不改变状态；说明会记入操作日志。请先在别处（例如微信商户平台）把问题处理好。</Typography.Paragraph>
        <Input.TextArea rows={3} maxLength={500} showCount placeholder="处理说明（必填）" value={note} onChange={(e) => setNote(e.target.value)} data-testid="resolve-note" />
      </Modal>
      <Modal
        open={rejecting}
        title="驳回开票申请"
        okText="确认驳回"
        cancelText="取消"
        okButtonProps={{ danger: true, disabled: !reason.trim(), 'data-testid': 'confirm-reject' }}
        confirmLoading={busy === 'reject'}
        onCancel={() => setRejecting(false)}
        onOk={() =>
          void act('reject', () => api('POST', `/invoices/${id}/reject`, { reason: reason.trim() }), '已驳回').then(() => setRejecting(false))
        }
      >
        <Typography.Paragraph>
          将向微信发送拒绝开票（rejectinsert）：微信会通知买家开票被驳回并显示下面的原因，这笔微信订单号作废；买家可修改后重新申请。
        </Typography.Paragraph>
        <Input.TextArea rows={3} maxLength={200} showCount placeholder="驳回原因（买家可见），例如：抬头有误，请重新申请" value={reason} onChange={(e) => setReason(e.target.value)} data-testid="reject-reason" />
      </Modal>
    </Space>
  );
}
