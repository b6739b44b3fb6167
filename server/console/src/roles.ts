import type { StaffRole } from './types';

const ORDER: StaffRole[] = ['viewer', 'operator', 'admin'];

/** The same rule as the server's: viewer < operator < admin. */
export const roleAtLeast = (role: StaffRole, least: StaffRole): boolean => ORDER.indexOf(role) >= ORDER.indexOf(least);

export const ROLE_LABELS: Record<StaffRole, string> = { viewer: '查看员（只读）', operator: '操作员', admin: '管理员' };
