import type { StaffRole } from './types';

/** The server's own rule (shared/staff-roles.ts): viewer < operator < admin. */
export { roleAtLeast } from '@fapiao/shared';

export const ROLE_LABELS: Record<StaffRole, string> = { viewer: '查看员（只读）', operator: '操作员', admin: '管理员' };
