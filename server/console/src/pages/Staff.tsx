import { PlusOutlined } from '@ant-design/icons';
import { App, Alert, Button, Card, Form, Input, Modal, Select, Space, Switch, Table, Tag, Typography } from 'antd';
import { useCallback, useEffect, useState } from 'react';
import { api, describeError } from '../api';
import { actorText, time } from '../format';
import { ROLE_LABELS } from '../roles';
import { useStaff } from '../session';
import type { StaffRole, StaffView } from '../types';

const ROLE_OPTIONS = (Object.keys(ROLE_LABELS) as StaffRole[]).map((r) => ({ value: r, label: ROLE_LABELS[r] }));

export function Staff() {
  const { message, modal } = App.useApp();
  const me = useStaff();
  const [staff, setStaff] = useState<StaffView[]>();
  const [error, setError] = useState<string>();
  const [adding, setAdding] = useState(false);
  const [resetting, setResetting] = useState<StaffView>();
  const [addForm] = Form.useForm<{ username: string; displayName: string; role: StaffRole; password: string }>();
  const [resetForm] = Form.useForm<{ password: string }>();

  const load = useCallback(async () => {
    try {
      setStaff((await api<{ staff: StaffView[] }>('GET', '/staff')).staff);
    } catch (err) {
      setError(describeError(err));
    }
  }, []);
  useEffect(() => {
    void load();
  }, [load]);

  const change = async (username: string, body: Record<string, unknown>, done: string) => {
    try {
      await api('PUT', `/staff/${username}`, body);
      void message.success(done);
      await load();
    } catch (err) {
      modal.error({ title: '未保存', content: describeError(err) });
    }
  };

  return (
    <Space direction="vertical" size={16} style={{ width: '100%' }}>
      <Space style={{ justifyContent: 'space-between', width: '100%' }}>
        <Typography.Title level={3} style={{ margin: 0 }}>
          员工账号
        </Typography.Title>
        <Button type="primary" icon={<PlusOutlined />} onClick={() => setAdding(true)}>
          添加员工
        </Button>
      </Space>
      <Alert type="info" showIcon message="查看员只能查看；操作员可处理开票申请、导入订单、修改商户设置；管理员另可管理员工账号。每个操作都以员工姓名记入操作日志。" />
      {error && <Alert type="error" showIcon message={error} />}
      <Card>
        <Table<StaffView>
          rowKey="username"
          loading={!staff && !error}
          dataSource={staff}
          pagination={false}
          scroll={{ x: 800 }}
          columns={[
            { title: '用户名', dataIndex: 'username' },
            { title: '姓名', dataIndex: 'displayName' },
            {
              title: '角色',
              dataIndex: 'role',
              render: (role: StaffRole, s) => (
                <Select size="small" value={role} options={ROLE_OPTIONS} style={{ width: 140 }} disabled={s.username === me.username} onChange={(r) => void change(s.username, { role: r }, '角色已修改')} />
              ),
            },
            {
              title: '启用',
              dataIndex: 'disabled',
              render: (disabled: boolean, s) => <Switch checked={!disabled} disabled={s.username === me.username} onChange={(on) => void change(s.username, { disabled: !on }, on ? '已启用' : '已停用')} />,
            },
            { title: '创建', key: 'created', render: (_: unknown, s) => `${time(s.createdAt)} · ${actorText(s.createdBy)}` },
            {
              title: '',
              key: 'reset',
              render: (_: unknown, s) => (
                <Button size="small" onClick={() => setResetting(s)}>
                  重设密码
                </Button>
              ),
            },
          ]}
        />
        {staff?.some((s) => s.disabled) && <Tag style={{ marginTop: 8 }}>停用的账号不能登录，已有会话立即失效</Tag>}
      </Card>
      <Modal
        open={adding}
        title="添加员工"
        okText="添加"
        cancelText="取消"
        onCancel={() => setAdding(false)}
        onOk={() =>
          void addForm.validateFields().then(async (v) => {
            try {
              await api('POST', '/staff', v);
              void message.success(`已添加 ${v.username}`);
              setAdding(false);
              addForm.resetFields();
              await load();
            } catch (err) {
              modal.error({ title: '未添加', content: describeError(err) });
            }
          })
        }
      >
        <Form form={addForm} layout="vertical" initialValues={{ role: 'viewer' }}>
          <Form.Item name="username" label="用户名（登录名，记入操作日志）" rules={[{ required: true, pattern: /^[a-z0-9][a-z0-9._-]{1,31}$/, message: '2-32 位小写字母、数字、. _ -' }]}>
            <Input autoComplete="off" />
          </Form.Item>
          <Form.Item name="displayName" label="姓名" rules={[{ required: true, max: 40 }]}>
            <Input />
          </Form.Item>
          <Form.Item name="role" label="角色">
            <Select options={ROLE_OPTIONS} />
          </Form.Item>
          <Form.Item name="password" label="初始密码（至少 10 位）" rules={[{ required: true, min: 10, max: 72 }]}>
            <Input.Password autoComplete="new-password" />
          </Form.Item>
        </Form>
      </Modal>
      <Modal
        open={Boolean(resetting)}
        title={`重设 ${resetting?.username ?? ''} 的密码`}
        okText="重设"
        cancelText="取消"
        onCancel={() => setResetting(undefined)}
        onOk={() =>
          void resetForm.validateFields().then(async (v) => {
            if (resetting) await change(resetting.username, { password: v.password }, '密码已重设，该员工需重新登录');
            setResetting(undefined);
            resetForm.resetFields();
          })
        }
      >
        <Form form={resetForm} layout="vertical">
          <Form.Item name="password" label="新密码（至少 10 位）" rules={[{ required: true, min: 10, max: 72 }]}>
            <Input.Password autoComplete="new-password" />
          </Form.Item>
        </Form>
      </Modal>
    </Space>
  );
}
