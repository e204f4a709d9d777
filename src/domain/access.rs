//! Redmine's authorization decision (`User#allowed_to?`): the project's state and modules
//! gate everyone, admins included; then admins pass; then any of the caller's roles in the
//! project must grant the permission.

use super::permissions::{self, Permission};
use super::roles::Role;
use super::{Caller, Denial};

pub const STATUS_ACTIVE: i64 = 1;
pub const STATUS_CLOSED: i64 = 5;
pub const STATUS_ARCHIVED: i64 = 9;

/// What the rules need to know of a project.
#[derive(Debug, Clone, Copy)]
pub struct ProjectState<'a> {
    pub status: i64,
    pub is_public: bool,
    pub modules: &'a [String],
}

fn perms(names: &[&str]) -> Vec<&'static Permission> {
    names.iter().filter_map(|n| permissions::find(n)).collect()
}

/// `Project#allows_to?` for an action granted by any of `names`: not archived, active
/// unless one of them is a read permission, and one of them in an enabled module (or in none).
pub fn project_allows(p: &ProjectState, names: &[&str]) -> bool {
    let ps = perms(names);
    if p.status == STATUS_ARCHIVED {
        return false;
    }
    if p.status != STATUS_ACTIVE && !ps.iter().any(|x| x.read) {
        return false;
    }
    ps.iter().any(|x| match x.module {
        None => true,
        Some(m) => p.modules.iter().any(|e| e == m),
    })
}

pub fn role_allows(role: &Role, names: &[&str]) -> bool {
    perms(names).iter().any(|x| x.public || role.holds(x.name))
}

/// Whether the caller may do an action granted by any of `names` in the project, given its
/// roles there (see `store::projects::roles_for`).
pub fn allowed(caller: &Caller, names: &[&str], p: &ProjectState, roles: &[Role]) -> bool {
    let scoped = caller.in_scope(names);
    if caller.scopes.is_some() && scoped.is_empty() {
        return false;
    }
    let names = &scoped[..];
    if !project_allows(p, names) {
        return false;
    }
    if caller.admin {
        return true;
    }
    roles
        .iter()
        .any(|r| (p.is_public || r.builtin == 0) && role_allows(r, names))
}

/// The `authorize` filter: 403 for an archived project or one that does not offer the
/// action (closed, module off) — to everybody — then 401/403 for a caller without the right.
pub fn authorize(
    caller: &Caller,
    names: &[&str],
    p: &ProjectState,
    roles: &[Role],
) -> Result<(), Denial> {
    if !project_allows(p, names) {
        return Err(Denial::Forbidden);
    }
    if allowed(caller, names, p, roles) {
        Ok(())
    } else {
        Err(caller.deny())
    }
}

/// The global check (no project): admins, or any role the caller holds anywhere (plus its
/// builtin role) granting one of `names`. No project state or module applies.
pub fn allowed_globally(caller: &Caller, names: &[&str], roles: &[Role]) -> bool {
    let scoped = caller.in_scope(names);
    if caller.scopes.is_some() && scoped.is_empty() {
        return false;
    }
    caller.admin || roles.iter().any(|r| role_allows(r, &scoped))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn role(builtin: i64, perms: &[&str]) -> Role {
        Role {
            id: 10 + builtin,
            name: "r".into(),
            assignable: true,
            builtin,
            permissions: perms.join("\n"),
            grants: crate::domain::permissions::bits(perms),
            issues_visibility: "default".into(),
            users_visibility: "all".into(),
            time_entries_visibility: "all".into(),
            all_roles_managed: true,
        }
    }

    const ADMIN: Caller = Caller {
        user_id: 1,
        logged: true,
        admin: true,
        scopes: None,
    };
    const USER: Caller = Caller {
        user_id: 5,
        logged: true,
        admin: false,
        scopes: None,
    };
    const ANON: Caller = Caller {
        user_id: 4,
        logged: false,
        admin: false,
        scopes: None,
    };

    /// user × role × project state × permission → allowed, over every permission.
    #[test]
    fn matrix() {
        let all_modules: Vec<String> = permissions::MODULES.iter().map(|m| m.to_string()).collect();
        let no_modules: Vec<String> = Vec::new();
        for perm in permissions::CATALOGUE {
            let granted = role(0, &[perm.name]);
            let non_member = role(1, &[perm.name]);
            let empty = role(0, &[]);
            for (status, public, modules) in [
                (STATUS_ACTIVE, true, &all_modules),
                (STATUS_ACTIVE, false, &all_modules),
                (STATUS_CLOSED, true, &all_modules),
                (STATUS_ARCHIVED, true, &all_modules),
                (STATUS_ACTIVE, true, &no_modules),
            ] {
                let p = ProjectState {
                    status,
                    is_public: public,
                    modules,
                };
                let gate = status != STATUS_ARCHIVED
                    && (status == STATUS_ACTIVE || perm.read)
                    && (perm.module.is_none() || !modules.is_empty());
                let name = [perm.name];
                assert_eq!(
                    allowed(&ADMIN, &name, &p, &[]),
                    gate,
                    "admin {} {status}",
                    perm.name
                );
                assert_eq!(
                    allowed(&USER, &name, &p, std::slice::from_ref(&granted)),
                    gate,
                    "member {}",
                    perm.name
                );
                assert_eq!(
                    allowed(&USER, &name, &p, std::slice::from_ref(&empty)),
                    gate && perm.public,
                    "member without {}",
                    perm.name
                );
                // builtin roles only count on public projects
                assert_eq!(
                    allowed(&USER, &name, &p, std::slice::from_ref(&non_member)),
                    gate && public,
                    "non member {}",
                    perm.name
                );
                assert!(
                    !allowed(&ANON, &name, &p, &[]),
                    "anonymous without roles {}",
                    perm.name
                );
                let denial = authorize(&ANON, &name, &p, &[]).unwrap_err();
                assert_eq!(
                    denial,
                    if gate {
                        Denial::LoginRequired
                    } else {
                        Denial::Forbidden
                    }
                );
                let denial = authorize(&USER, &name, &p, &[]).unwrap_err();
                assert_eq!(denial, Denial::Forbidden);
            }
        }
    }

    #[test]
    fn any_of_several_permissions() {
        let modules = vec!["issue_tracking".to_string()];
        let p = ProjectState {
            status: STATUS_CLOSED,
            is_public: true,
            modules: &modules,
        };
        // view_members is public and read: members/index works on closed projects
        assert!(allowed(
            &USER,
            &["view_members", "manage_members"],
            &p,
            &[role(0, &[])]
        ));
        assert!(!allowed(
            &USER,
            &["manage_members"],
            &p,
            &[role(0, &["manage_members"])]
        ));
        assert!(allowed_globally(
            &USER,
            &["add_project", "add_subprojects"],
            &[role(0, &["add_subprojects"])]
        ));
        assert!(!allowed_globally(
            &ANON,
            &["add_project"],
            &[role(2, &["view_issues"])]
        ));
    }
}
