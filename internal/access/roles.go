package access

import (
	"fmt"
	"slices"
	"strings"
)

// Role is a staff member's built-in role. Roles are per shop: a person with accounts in two
// shops has two roles.
type Role string

// The built-in roles, from most to least trusted with customer data.
const (
	RoleOwner     Role = "owner"     // everything; the only role that manages owners and API keys
	RoleAdmin     Role = "admin"     // manages staff (not owners), reveals any field with a reason
	RoleSupport   Role = "support"   // answers customers: name, masked contact, may reveal contact
	RoleShipping  Role = "shipping"  // ships parcels: name, phone, address
	RoleMarketing Role = "marketing" // segments: no direct identifiers
	RoleAuditor   Role = "auditor"   // reads the audit trail, no customer fields
)

// Roles lists every role, in the order help texts show them.
var Roles = []Role{RoleOwner, RoleAdmin, RoleSupport, RoleShipping, RoleMarketing, RoleAuditor}

// RoleMaskedKey is not a staff role (ParseRole refuses it): it is what an API key limited
// to masked reads (ScopeCustomersReadMasked) acts as. It sees what owners see by default and
// may reveal nothing; its scopes, checked before any call, decide what it may call.
const RoleMaskedKey Role = "apikey:masked"

// ParseRole reads a role name, refusing unknown names.
func ParseRole(s string) (Role, error) {
	r := Role(strings.ToLower(strings.TrimSpace(s)))
	if !slices.Contains(Roles, r) {
		names := make([]string, len(Roles))
		for i, r := range Roles {
			names[i] = string(r)
		}
		return "", fmt.Errorf("unknown role %q (known: %s)", s, strings.Join(names, ", "))
	}
	return r, nil
}

// Permission is something a role may do besides reading customer fields (for those, see
// Policy).
type Permission string

const (
	PermCustomersRead   Permission = "customers:read"   // find and read customers (masked per Policy)
	PermCustomersWrite  Permission = "customers:write"  // create and change customers
	PermCustomersDelete Permission = "customers:delete" // delete (shred) customers
	PermReveal          Permission = "customers:reveal" // reveal a field with a reason (which fields: CanReveal)
	PermAuditRead       Permission = "audit:read"       // read and verify the audit trail
	PermManageStaff     Permission = "staff:manage"     // add, disable, change roles of non-owners
	PermManageOwners    Permission = "owners:manage"    // the same for owners
	PermManageKeys      Permission = "apikeys:manage"   // create, list, revoke API keys
	PermManageIPs       Permission = "allowlist:manage" // change the shop's IP allow-list
)

// permissions is the role table of issue 5. Least privilege: a role has only what its job
// needs; support may correct a customer's details, shipping and marketing only read.
var permissions = map[Role][]Permission{
	RoleOwner: {PermCustomersRead, PermCustomersWrite, PermCustomersDelete, PermReveal, PermAuditRead,
		PermManageStaff, PermManageOwners, PermManageKeys, PermManageIPs},
	RoleAdmin:     {PermCustomersRead, PermCustomersWrite, PermCustomersDelete, PermReveal, PermAuditRead, PermManageStaff},
	RoleSupport:   {PermCustomersRead, PermCustomersWrite, PermReveal},
	RoleShipping:  {PermCustomersRead},
	RoleMarketing: {PermCustomersRead},
	RoleAuditor:   {PermAuditRead},
	// The key's scopes were checked by the caller; the role only masks and forbids reveals.
	RoleMaskedKey: {PermCustomersRead, PermCustomersWrite, PermCustomersDelete},
}

// Can reports whether role r holds permission p. An unknown role holds nothing.
func (r Role) Can(p Permission) bool { return slices.Contains(permissions[r], p) }

// CanManage reports whether a member with role r may add, change or disable a member whose
// role is (or becomes) target: owners manage everyone, admins everyone but owners.
func (r Role) CanManage(target Role) bool {
	if target == RoleOwner {
		return r.Can(PermManageOwners)
	}
	return r.Can(PermManageStaff)
}
