import {
  AuditOutlined,
  DashboardOutlined,
  FileTextTwoTone,
  FileSearchOutlined,
  ImportOutlined,
  LogoutOutlined,
  SettingOutlined,
  TeamOutlined,
} from '@ant-design/icons';
import { Button, Grid, Layout, Menu, Result, Space, Spin, Tag, Typography } from 'antd';
import { lazy, Suspense, useCallback, useEffect, useState } from 'react';
import { api, ApiError, setCsrfToken, whenUnauthenticated } from './api';
import { Login } from './pages/Login';
import { roleAtLeast, ROLE_LABELS } from './roles';
import { go, useHashPath } from './router';
import { SessionContext } from './session';
import type { StaffView } from './types';

// Each page is its own chunk, loaded when first opened (the dashboard's charts only there).
const Dashboard = lazy(() => import('./pages/Dashboard').then((m) => ({ default: m.Dashboard })));
const InvoiceDetail = lazy(() => import('./pages/InvoiceDetail').then((m) => ({ default: m.InvoiceDetail })));
const Invoices = lazy(() => import('./pages/Invoices').then((m) => ({ default: m.Invoices })));
const OrdersImport = lazy(() => import('./pages/OrdersImport').then((m) => ({ default: m.OrdersImport })));
const Reconcile = lazy(() => import('./pages/Reconcile').then((m) => ({ default: m.Reconcile })));
const Settings = lazy(() => import('./pages/Settings').then((m) => ({ default: m.Settings })));
const Staff = lazy(() => import('./pages/Staff').then((m) => ({ default: m.Staff })));

interface Session {
  staff: StaffView;
  csrfToken: string;
}

const MENU = [
  { key: '/dashboard', icon: <DashboardOutlined />, label: '概览' },
  { key: '/invoices', icon: <FileSearchOutlined />, label: '开票申请' },
  { key: '/reconcile', icon: <AuditOutlined />, label: '对账' },
  { key: '/orders', icon: <ImportOutlined />, label: '订单导入' },
  { key: '/settings', icon: <SettingOutlined />, label: '商户设置' },
  { key: '/staff', icon: <TeamOutlined />, label: '员工账号', admin: true },
];

export function App() {
  const [session, setSession] = useState<Session | null | undefined>(undefined);
  const path = useHashPath();
  const screens = Grid.useBreakpoint();

  const adopt = useCallback((next: Session | null) => {
    setCsrfToken(next?.csrfToken ?? '');
    setSession(next);
  }, []);

  useEffect(() => {
    whenUnauthenticated(() => adopt(null));
    api<Session>('GET', '/session').then(adopt, (err: unknown) => {
      if (err instanceof ApiError && err.status === 401) adopt(null);
      else adopt(null);
    });
  }, [adopt]);

  if (session === undefined) return <Spin fullscreen />;
  if (session === null) return <Login onLogin={adopt} />;

  const logout = async () => {
    await api('DELETE', '/session').catch(() => undefined);
    adopt(null);
  };
  const section = '/' + (path.split('?')[0]?.split('/')[1] ?? 'dashboard');
  const items = MENU.filter((m) => !m.admin || session.staff.role === 'admin').map(({ key, icon, label }) => ({ key, icon, label }));

  return (
    <SessionContext.Provider value={session.staff}>
      <Layout style={{ minHeight: '100vh' }}>
        <Layout.Sider breakpoint="lg" collapsedWidth={64} width={200} theme="light" style={{ borderRight: '1px solid #f0f0f0' }}>
          <div style={{ padding: '16px 12px', fontWeight: 600, fontSize: 16, whiteSpace: 'nowrap', overflow: 'hidden' }}>
            <FileTextTwoTone twoToneColor="#07c160" /> {screens.lg ? 'Fapiao 商户控制台' : ''}
          </div>
          <Menu mode="inline" selectedKeys={[section]} items={items} onClick={({ key }) => go(key)} style={{ borderInlineEnd: 0 }} />
        </Layout.Sider>
        <Layout>
          <Layout.Header style={{ background: '#fff', padding: '0 24px', display: 'flex', justifyContent: 'flex-end', alignItems: 'center', borderBottom: '1px solid #f0f0f0' }}>
            <Space>
              <Typography.Text data-testid="whoami">
                {session.staff.displayName}（{session.staff.username}）
              </Typography.Text>
              <Tag color={session.staff.role === 'admin' ? 'gold' : session.staff.role === 'operator' ? 'blue' : 'default'}>{ROLE_LABELS[session.staff.role]}</Tag>
              <Button icon={<LogoutOutlined />} onClick={() => void logout()}>
                退出
              </Button>
            </Space>
          </Layout.Header>
          <Layout.Content style={{ padding: screens.md ? 24 : 12, maxWidth: 1440, width: '100%' }}>
            <Suspense fallback={<Spin style={{ display: 'block', margin: '48px auto' }} />}>{page(path, session.staff)}</Suspense>
          </Layout.Content>
        </Layout>
      </Layout>
    </SessionContext.Provider>
  );
}

function page(path: string, staff: StaffView) {
  const [pathname = '', search = ''] = path.split('?');
  const [, section, id] = pathname.split('/');
  switch (section) {
    case 'invoices':
      return id ? <InvoiceDetail id={decodeURIComponent(id)} /> : <Invoices initial={new URLSearchParams(search)} />;
    case 'reconcile':
      return <Reconcile />;
    case 'orders':
      return <OrdersImport />;
    case 'settings':
      return <Settings />;
    case 'staff':
      return roleAtLeast(staff.role, 'admin') ? <Staff /> : <Result status="403" title="无权访问" subTitle="员工账号仅管理员可管理" />;
    default:
      return <Dashboard />;
  }
}
