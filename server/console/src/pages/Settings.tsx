import { CheckCircleFilled, CloseCircleOutlined, MinusCircleOutlined } from '@ant-design/icons';
import { App, Alert, Button, Card, Checkbox, Col, Form, Input, InputNumber, List, Row, Select, Space, Spin, Table, Typography } from 'antd';
import { useCallback, useEffect, useState } from 'react';
import { api, describeError } from '../api';
import { actorText, time } from '../format';
import { useCan } from '../session';
import type { AuthFields, Flag, SettingView } from '../types';

interface Contact {
  phone: string;
  timeOut: number;
}
interface PayMch {
  mchid: string;
  s_pappid: string;
}

/** The fields of WeChat's authorization page, personal and company, as set_auth_field names them. */
const USER_FIELDS = [
  { key: 'title', label: '抬头（姓名）', show: 'show_title', require: undefined },
  { key: 'phone', label: '手机号', show: 'show_phone', require: 'require_phone' },
  { key: 'email', label: '邮箱', show: 'show_email', require: 'require_email' },
] as const;
const BIZ_FIELDS = [
  { key: 'title', label: '抬头（单位名称）', show: 'show_title', require: undefined },
  { key: 'tax_no', label: '税号', show: 'show_tax_no', require: 'require_tax_no' },
  { key: 'addr', label: '单位地址', show: 'show_addr', require: 'require_addr' },
  { key: 'phone', label: '电话号码', show: 'show_phone', require: 'require_phone' },
  { key: 'bank_type', label: '开户银行', show: 'show_bank_type', require: 'require_bank_type' },
  { key: 'bank_no', label: '银行账号', show: 'show_bank_no', require: 'require_bank_no' },
] as const;

const UNITS = [
  { value: 60, label: '分钟' },
  { value: 3600, label: '小时' },
  { value: 86400, label: '天' },
];

/** What WeChat's page will ask the buyer, from the fields as they stand in the form. */
function Preview({ fields }: { fields: AuthFields }) {
  const rows = (kind: '个人' | '单位', defs: readonly { key: string; label: string; show: string; require: string | undefined }[], part: Record<string, unknown>) =>
    defs
      // WeChat always shows the title; the other fields only when shown.
      .filter((d) => d.key === 'title' || part[d.show] === 1)
      .map((d) => ({ kind, label: d.label, required: d.key === 'title' || (d.require !== undefined && part[d.require] === 1) }));
  const custom = (kind: '个人' | '单位', list: AuthFields['user_field']['custom_field']) => (list ?? []).map((c) => ({ kind, label: `${c.key}${c.notice ? `（${c.notice}）` : ''}`, required: c.is_require === 1 }));
  const data = [...rows('个人', USER_FIELDS, fields.user_field), ...custom('个人', fields.user_field.custom_field), ...rows('单位', BIZ_FIELDS, fields.biz_field), ...custom('单位', fields.biz_field.custom_field)];
  return (
    <Table
      size="small"
      pagination={false}
      rowKey={(r) => r.kind + r.label}
      dataSource={data}
      data-testid="auth-preview"
      columns={[
        { title: '抬头类型', dataIndex: 'kind', width: 90 },
        { title: '微信授权页上的栏目', dataIndex: 'label' },
        { title: '', dataIndex: 'required', width: 70, render: (r: boolean) => (r ? <Typography.Text type="danger">必填</Typography.Text> : '选填') },
      ]}
    />
  );
}

function Updated({ view }: { view: SettingView<unknown> | undefined }) {
  return view?.updatedAt ? (
    <Typography.Text type="secondary">
      最近由 {actorText(view.updatedBy ?? '')} 于 {time(view.updatedAt)} 修改
    </Typography.Text>
  ) : null;
}

export function Settings() {
  const { message, modal } = App.useApp();
  const canAct = useCan('operator');
  const [contact, setContact] = useState<SettingView<Contact>>();
  const [authFields, setAuthFields] = useState<SettingView<AuthFields>>();
  const [payMch, setPayMch] = useState<SettingView<PayMch>>();
  const [error, setError] = useState<string>();
  const [draft, setDraft] = useState<AuthFields>({ user_field: {}, biz_field: {} });
  const [contactForm] = Form.useForm<{ phone: string; amount: number; unit: number }>();
  const [payForm] = Form.useForm<PayMch>();

  const load = useCallback(async () => {
    try {
      const [c, a, p] = await Promise.all([
        api<SettingView<Contact>>('GET', '/settings/contact'),
        api<SettingView<AuthFields>>('GET', '/settings/auth-fields'),
        api<SettingView<PayMch>>('GET', '/settings/pay-mch'),
      ]);
      setContact(c);
      setAuthFields(a);
      setPayMch(p);
      setDraft(a.value ?? { user_field: { show_title: 1 }, biz_field: { show_title: 1, show_tax_no: 1, require_tax_no: 1 } });
      if (c.value) {
        const unit = [86400, 3600, 60].find((u) => c.value && c.value.timeOut % u === 0) ?? 60;
        contactForm.setFieldsValue({ phone: c.value.phone, amount: c.value.timeOut / unit, unit });
      }
      if (p.value) payForm.setFieldsValue(p.value);
    } catch (err) {
      setError(describeError(err));
    }
  }, [contactForm, payForm]);
  useEffect(() => {
    void load();
  }, [load]);

  const save = async (what: string, run: () => Promise<unknown>) => {
    try {
      await run();
      void message.success(`${what}已保存到微信`);
      await load();
    } catch (err) {
      modal.error({ title: `${what}未保存`, content: describeError(err) });
    }
  };
  const flag = (part: 'user_field' | 'biz_field', key: string) => (draft[part] as Record<string, Flag | undefined>)[key] === 1;
  const setFlag = (part: 'user_field' | 'biz_field', key: string, on: boolean) =>
    setDraft((d) => {
      const next = { ...d[part], [key]: on ? 1 : 0 } as Record<string, unknown>;
      // Required implies shown; hidden implies not required.
      if (on && key.startsWith('require_')) next[key.replace('require_', 'show_')] = 1;
      if (!on && key.startsWith('show_')) next[key.replace('show_', 'require_')] = 0;
      return { ...d, [part]: next };
    });

  if (error) return <Alert type="error" showIcon message={error} />;
  if (!contact || !authFields || !payMch) return <Spin />;

  const checklist = [
    { done: Boolean(contact.value), title: '联系方式', note: '微信发放任何授权链接前必须设置（否则 72063）' },
    { done: Boolean(authFields.value), title: '授权页字段', note: '类型 1（微信收集抬头）的申请前必须设置（否则 72029）' },
    { done: Boolean(payMch.value), title: '微信支付商户', note: '仅在微信支付后开票时需要', optional: true },
  ];
  const fieldTable = (part: 'user_field' | 'biz_field', defs: readonly { key: string; label: string; show: string; require: string | undefined }[]) => (
    <Table
      size="small"
      pagination={false}
      rowKey="key"
      dataSource={[...defs]}
      columns={[
        { title: '栏目', dataIndex: 'label' },
        { title: '显示', key: 'show', width: 70, render: (_: unknown, d) => <Checkbox disabled={!canAct || d.key === 'title'} checked={d.key === 'title' || flag(part, d.show)} onChange={(e) => setFlag(part, d.show, e.target.checked)} data-testid={`${part}-${d.show}`} /> },
        { title: '必填', key: 'require', width: 70, render: (_: unknown, d) => (d.require ? <Checkbox disabled={!canAct} checked={flag(part, d.require)} onChange={(e) => setFlag(part, d.require as string, e.target.checked)} /> : '—') },
      ]}
    />
  );

  return (
    <Space direction="vertical" size={16} style={{ width: '100%' }}>
      <Typography.Title level={3} style={{ margin: 0 }}>
        商户设置
      </Typography.Title>
      <Card title="开通检查" size="small">
        <List
          dataSource={checklist}
          data-testid="checklist"
          renderItem={(c) => (
            <List.Item>
              <Space>
                {c.done ? <CheckCircleFilled style={{ color: '#52c41a' }} /> : c.optional ? <MinusCircleOutlined /> : <CloseCircleOutlined style={{ color: '#ff4d4f' }} />}
                <b>{c.title}</b>
                <Typography.Text type="secondary">{c.done ? '已设置' : c.optional ? '未设置（可选）' : '未设置'} · {c.note}</Typography.Text>
              </Space>
            </List.Item>
          )}
        />
        {checklist.every((c) => c.done || c.optional) && <Alert type="success" showIcon message="联系方式与授权页字段已设置：买家可以申请开票（含类型 1）。" />}
      </Card>
      <Row gutter={[16, 16]}>
        <Col xs={24} xl={10}>
          <Card title="联系方式" size="small" extra={<Updated view={contact} />}>
            <Form
              form={contactForm}
              layout="vertical"
              disabled={!canAct}
              initialValues={{ unit: 3600, amount: 2 }}
              onFinish={(v) => void save('联系方式', () => api('PUT', '/settings/contact', { phone: v.phone.trim(), timeOut: v.amount * v.unit }))}
            >
              <Form.Item name="phone" label="商户联系电话（微信授权页展示）" rules={[{ required: true, min: 3, max: 30, message: '请输入 3-30 位电话' }]}>
                <Input data-testid="contact-phone" />
              </Form.Item>
              <Form.Item label="买家授权时限">
                <Space.Compact>
                  <Form.Item name="amount" noStyle rules={[{ required: true }]}>
                    <InputNumber min={1} max={43200} style={{ width: 120 }} />
                  </Form.Item>
                  <Form.Item name="unit" noStyle>
                    <Select options={UNITS} style={{ width: 90 }} />
                  </Form.Item>
                </Space.Compact>
              </Form.Item>
              <Button type="primary" htmlType="submit" data-testid="contact-save">
                保存联系方式
              </Button>
            </Form>
          </Card>
          <Card title="微信支付商户" size="small" style={{ marginTop: 16 }} extra={<Updated view={payMch} />}>
            <Form form={payForm} layout="vertical" disabled={!canAct} onFinish={(v) => void save('微信支付商户', () => api('PUT', '/settings/pay-mch', v))}>
              <Form.Item name="mchid" label="商户号 mchid" rules={[{ required: true, pattern: /^\d{8,12}$/, message: '8-12 位数字' }]}>
                <Input />
              </Form.Item>
              <Form.Item name="s_pappid" label="开票平台 s_pappid" rules={[{ required: true, min: 8, max: 64 }]}>
                <Input />
              </Form.Item>
              <Button htmlType="submit">保存微信支付商户</Button>
            </Form>
          </Card>
        </Col>
        <Col xs={24} xl={14}>
          <Card title="授权页字段" size="small" extra={<Updated view={authFields} />}>
            <Row gutter={16}>
              <Col xs={24} md={12}>
                <Typography.Text strong>个人抬头</Typography.Text>
                {fieldTable('user_field', USER_FIELDS)}
              </Col>
              <Col xs={24} md={12}>
                <Typography.Text strong>单位抬头</Typography.Text>
                {fieldTable('biz_field', BIZ_FIELDS)}
              </Col>
            </Row>
            <Typography.Title level={5} style={{ marginTop: 16 }}>
              预览：微信授权页将要求买家填写
            </Typography.Title>
            <Preview fields={draft} />
            <Button
              type="primary"
              style={{ marginTop: 16 }}
              disabled={!canAct}
              onClick={() => {
                modal.confirm({
                  title: '保存授权页字段？',
                  content: '将调用微信 set_auth_field：此后所有买家在微信授权页上看到的栏目即为上面的预览。',
                  onOk: () => save('授权页字段', () => api('PUT', '/settings/auth-fields', draft)),
                });
              }}
            >
              保存授权页字段
            </Button>
          </Card>
        </Col>
      </Row>
    </Space>
  );
}
