import { sqlError } from './sql-text';

/**
 * Roles, grants and ownership as Snowflake's access-control documentation describes them, for the
 * statements soundlake runs. Only rules quoted here are modelled; a privilege the emulator does
 * not know about is never granted implicitly.
 *
 * Overview of Access Control, "System-defined roles":
 * - ACCOUNTADMIN: "Role that encapsulates the SYSADMIN and SECURITYADMIN system-defined roles."
 * - SECURITYADMIN: "Role that can manage any object grant globally, as well as create, monitor, and
 *   manage users and roles. More specifically, this role: Is granted the MANAGE GRANTS security
 *   privilege … Inherits the privileges of the USERADMIN role via the system role hierarchy."
 * - USERADMIN: "Role that is dedicated to user and role management only. More specifically, this
 *   role: Is granted the CREATE USER and CREATE ROLE security privileges."
 * - SYSADMIN: "Role that has privileges to create warehouses and databases (and other objects) in
 *   an account."
 * - PUBLIC: "Pseudo-role that is automatically granted to every user and every role in your account."
 * CREATE STORAGE INTEGRATION: "Only account administrators (users with the ACCOUNTADMIN role) or a
 * role with the global CREATE INTEGRATION privilege can execute this SQL command."
 * Ownership: the role that creates an object owns it, and "Each object has an owner, who can in turn
 * grant access to that object"; an owner holds every privilege on it.
 */
const SYSTEM_ROLES: Record<string, { inherits: string[]; account: string[] }> = {
  ACCOUNTADMIN: { inherits: ['SYSADMIN', 'SECURITYADMIN'], account: ['CREATE INTEGRATION'] },
  SECURITYADMIN: { inherits: ['USERADMIN'], account: ['MANAGE GRANTS'] },
  USERADMIN: { inherits: [], account: ['CREATE USER', 'CREATE ROLE'] },
  SYSADMIN: { inherits: [], account: ['CREATE DATABASE', 'CREATE WAREHOUSE'] },
  PUBLIC: { inherits: [], account: [] },
};

/** What a privilege is on: the account, or a named object (`DATABASE SOUNDLAKE`, `SCHEMA SOUNDLAKE.RAW`). */
export interface Securable {
  kind: string;
  name: string;
}
export const ACCOUNT: Securable = { kind: 'ACCOUNT', name: '' };

const key = (on: Securable) => `${on.kind} ${on.name}`;
const shortName = (name: string) => name.split('.').pop() ?? name;

export class AccessControl {
  /** Roles created with CREATE ROLE, with the roles granted to each (`GRANT ROLE a TO ROLE b`: b inherits a). */
  private readonly created = new Map<string, Set<string>>();
  private readonly systemGrants = new Map<string, Set<string>>(Object.keys(SYSTEM_ROLES).map((r) => [r, new Set<string>()]));
  /** Roles granted to each user. */
  private readonly userRoles = new Map<string, Set<string>>();
  /** `PRIVILEGE|KIND NAME` → roles. */
  private readonly grants = new Map<string, Set<string>>();
  private readonly owners = new Map<string, string>();
  /** GRANT … ON FUTURE <kind>S IN SCHEMA: applied to each such object when it is created. */
  private readonly future: { privilege: string; kind: string; schema: string; role: string }[] = [];

  roleExists(role: string): boolean {
    return role in SYSTEM_ROLES || this.created.has(role);
  }

  createRole(role: string, owner: string): void {
    this.created.set(role, new Set());
    this.owners.set(key({ kind: 'ROLE', name: role }), owner);
  }

  /** Every role a session using `role` acts with: itself and, recursively, the roles granted to it. */
  effectiveRoles(role: string): Set<string> {
    const seen = new Set<string>();
    const visit = (r: string) => {
      if (seen.has(r)) return;
      seen.add(r);
      for (const child of SYSTEM_ROLES[r]?.inherits ?? []) visit(child);
      for (const child of this.systemGrants.get(r) ?? this.created.get(r) ?? []) visit(child);
    };
    visit(role);
    visit('PUBLIC');
    return seen;
  }

  grantRoleToRole(role: string, to: string): void {
    (this.systemGrants.get(to) ?? this.created.get(to))?.add(role);
  }

  grantRoleToUser(role: string, user: string): void {
    const roles = this.userRoles.get(user) ?? new Set<string>();
    roles.add(role);
    this.userRoles.set(user, roles);
  }

  /**
   * A user may use a role granted to them and, through the hierarchy, the roles below it; PUBLIC is
   * every user's.
   */
  mayUse(user: string, role: string): boolean {
    if (!this.roleExists(role)) return false;
    if (role === 'PUBLIC') return true;
    return [...(this.userRoles.get(user) ?? [])].some((granted) => this.effectiveRoles(granted).has(role));
  }

  setOwner(on: Securable, role: string): void {
    this.owners.set(key(on), role);
    for (const f of this.future) {
      if (f.kind === on.kind && on.name.startsWith(`${f.schema}.`) && on.name.split('.').length === 3) this.grant(f.privilege, on, f.role);
    }
  }

  owner(on: Securable): string | undefined {
    return this.owners.get(key(on));
  }

  drop(on: Securable): void {
    this.owners.delete(key(on));
  }

  grant(privilege: string, on: Securable, role: string): void {
    const k = `${privilege}|${key(on)}`;
    const roles = this.grants.get(k) ?? new Set<string>();
    roles.add(role);
    this.grants.set(k, roles);
  }

  grantFuture(privilege: string, kind: string, schema: string, role: string): void {
    this.future.push({ privilege, kind, schema, role });
  }

  /** Whether a session using `role` holds `privilege` on `on`: as owner, by a grant, or a system role's account privilege. */
  has(role: string, privilege: string, on: Securable): boolean {
    const roles = this.effectiveRoles(role);
    if (on.kind === 'ACCOUNT') {
      return [...roles].some((r) => SYSTEM_ROLES[r]?.account.includes(privilege) || this.grants.get(`${privilege}|${key(on)}`)?.has(r));
    }
    const owner = this.owners.get(key(on));
    if (owner && roles.has(owner)) return true;
    return [...roles].some((r) => this.grants.get(`${privilege}|${key(on)}`)?.has(r));
  }

  /** Like `has`, or SQL access control error 003001 naming the object, as Snowflake words it. */
  require(role: string, privilege: string, on: Securable): void {
    if (this.has(role, privilege, on)) return;
    const what = on.kind === 'ACCOUNT' ? 'account' : `${on.kind.toLowerCase()} '${shortName(on.name)}'`;
    throw sqlError('003001', `SQL access control error: Insufficient privileges to operate on ${what} (${privilege} needed, role ${role})`);
  }

  /** Any privilege at all on the object (what SHOW lists and what COPY_HISTORY needs on the table). */
  hasAny(role: string, on: Securable): boolean {
    const roles = this.effectiveRoles(role);
    const owner = this.owners.get(key(on));
    if (owner && roles.has(owner)) return true;
    return [...this.grants].some(([k, granted]) => k.endsWith(`|${key(on)}`) && [...granted].some((r) => roles.has(r)));
  }
}
