import { z } from '@hono/zod-openapi';
import { Instant, Name, Text, Uuid } from './common.js';

/** An email address as people type it: stored trimmed and lower-cased (one person per address, whatever its case). */
export const EmailAddress = Text()
  .trim()
  .max(200)
  .pipe(z.email())
  .transform((v) => v.toLowerCase())
  .openapi({ example: 'sam.carer@example.org' });

export const CreateAuthorityBody = z
  .object({
    name: Name,
    code: z.string().regex(/^[A-Z0-9][A-Z0-9-]{1,29}$/, 'must be 2 to 30 capital letters, digits or -').openapi({ example: 'EXAMPLE-CC' }),
    swapRequiresApproval: z.boolean().default(true),
    contactEmail: EmailAddress.optional(),
    contactPhone: z.string().regex(/^\+?[0-9 ]{7,20}$/).openapi({ example: '01243 777100' }).optional(),
  })
  .strict()
  .openapi('CreateAuthority');

export const AuthoritySchema = z
  .object({
    id: Uuid,
    name: z.string(),
    code: z.string(),
    swapRequiresApproval: z.boolean(),
    contactEmail: z.string().nullable(),
    contactPhone: z.string().nullable(),
    createdAt: Instant,
  })
  .openapi('Authority');

export const SetOperatorBody = z
  .object({
    authorityId: Uuid.nullable().openapi({ description: 'The authority that runs the provider (a council-run home), or null: the provider organisation runs itself' }),
  })
  .strict()
  .openapi('SetProviderOperator');

export const OperatorSchema = z.object({ providerId: Uuid, operatorAuthorityId: Uuid.nullable() }).openapi('ProviderOperator');

export const CreateInvitationBody = z
  .object({
    email: EmailAddress,
    name: Name,
    /** Coordinators: the family of their authority the person is to be a carer of. */
    familyId: Uuid.optional(),
    /** Provider managers: their provider (the default). */
    providerId: Uuid.optional(),
    /** Platform administrators: the authority a coordinator is invited to (a council's first coordinators). */
    authorityId: Uuid.optional(),
    /** What the person is invited as: CARER (coordinators, the default for them), PROVIDER_STAFF (provider managers' default), PROVIDER_MANAGER, or COORDINATOR (administrators, the only role they invite). */
    role: z.enum(['CARER', 'PROVIDER_MANAGER', 'PROVIDER_STAFF', 'COORDINATOR']).optional(),
  })
  .strict()
  .openapi('CreateInvitation');

export const InvitationSchema = z
  .object({
    id: Uuid,
    email: z.string(),
    name: z.string(),
    role: z.enum(['CARER', 'PROVIDER_MANAGER', 'PROVIDER_STAFF', 'COORDINATOR']),
    authorityId: Uuid.nullable(),
    familyId: Uuid.nullable(),
    providerId: Uuid.nullable(),
    expiresAt: Instant,
    acceptedAt: Instant.nullable(),
    withdrawnAt: Instant.nullable(),
  })
  .openapi('Invitation');

export const MembershipSchema = z
  .object({
    id: Uuid,
    role: z.enum(['COORDINATOR', 'PROVIDER_MANAGER', 'PROVIDER_STAFF', 'CARER', 'PLATFORM_ADMIN']),
    label: z.string(),
    authorityId: Uuid.nullable(),
    providerId: Uuid.nullable(),
    familyId: Uuid.nullable(),
  })
  .openapi('Membership');

export const MeSchema = z
  .object({
    person: z.object({ id: Uuid, name: z.string(), email: z.string().nullable(), serviceAccount: z.boolean() }).nullable(),
    role: z.string(),
    membershipId: Uuid.nullable(),
    memberships: z.array(MembershipSchema),
  })
  .openapi('Me');

export const CreateTokenBody = z
  .object({
    label: Name,
    /** Which of the caller's memberships the token acts through (default: the one the caller acts through now). */
    membershipId: Uuid.optional(),
    /** Or several: the first is the default, a request names another in the Acting-As header. */
    membershipIds: z.array(Uuid).min(1).max(20).optional().openapi({ description: 'The memberships the token may act through (a subset of the caller’s); the first is the default, and a request chooses another with the `Acting-As: <membershipId>` header' }),
    expiresInDays: z.number().int().min(1).max(366),
  })
  .strict()
  .refine((b) => !(b.membershipId && b.membershipIds), { message: 'Give membershipId or membershipIds, not both', path: ['membershipIds'] })
  .openapi('CreateToken');

export const CreatedTokenSchema = z
  .object({ id: Uuid, token: z.string().openapi({ description: 'Shown once; only its hash is kept' }), membershipId: Uuid, membershipIds: z.array(Uuid), expiresAt: Instant })
  .openapi('CreatedToken');

export const OwnTokenSchema = z
  .object({ id: Uuid, label: z.string().nullable(), membershipId: Uuid.nullable(), membershipIds: z.array(Uuid), createdAt: Instant, expiresAt: Instant.nullable(), revokedAt: Instant.nullable() })
  .openapi('OwnToken');

export const RevokedTokenSchema = z.object({ id: Uuid, revokedAt: Instant }).openapi('RevokedToken');

const MembershipRoleSchema = z.enum(['COORDINATOR', 'PROVIDER_MANAGER', 'PROVIDER_STAFF', 'CARER', 'PLATFORM_ADMIN']);

export const MemberSchema = z
  .object({
    membershipId: Uuid,
    personId: Uuid,
    name: z.string(),
    email: z.string().nullable(),
    role: MembershipRoleSchema,
    familyId: Uuid.nullable(),
    providerId: Uuid.nullable(),
    since: Instant,
    endedAt: Instant.nullable(),
  })
  .openapi('Member');

export const MembersSchema = z
  .object({
    members: z.array(MemberSchema),
    invitations: z.array(
      z.object({ id: Uuid, name: z.string(), email: z.string(), role: MembershipRoleSchema, familyId: Uuid.nullable(), providerId: Uuid.nullable(), expiresAt: Instant }),
    ),
  })
  .openapi('Members');

export const MembersQuery = z.object({ familyId: Uuid.optional(), providerId: Uuid.optional() });

export const EndedMembershipSchema = MemberSchema.extend({
  sessionsEnded: z.number().int().openapi({ description: 'Web sessions acting through the membership that this ended' }),
  tokensRevoked: z.number().int().openapi({ description: 'API tokens acting through the membership (and no other) that this revoked' }),
  tokensNarrowed: z.number().int().openapi({ description: 'API tokens scoped to this membership and others, which keep working for the others' }),
}).openapi('EndedMembership');

export const SignInEventsQuery = z.object({
  outcome: z.enum(['SUCCEEDED', 'FAILED']).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

export const SignInEventSchema = z
  .object({
    at: Instant,
    outcome: z.enum(['SUCCEEDED', 'FAILED']),
    method: z.string().openapi({ description: 'OIDC, EMAIL_LINK, INVITATION, TOKEN (an access key typed into the sign-in page) or API_TOKEN (a bearer token sent to the API)' }),
    reason: z.string().nullable().openapi({ description: 'Why it failed: UNKNOWN_TOKEN, MALFORMED_AUTHORIZATION, USED, EXPIRED, WITHDRAWN, PROVIDER_REFUSED, UNKNOWN_PERSON, …; TOO_MANY_FAILURES marks the address passing what is recorded a minute (the attempts after it that minute are not recorded)' }),
    address: z.string().nullable(),
    personId: Uuid.nullable(),
    personName: z.string().nullable(),
    serviceAccount: z.boolean(),
    sessionId: Uuid.nullable(),
    tokenId: Uuid.nullable(),
  })
  .openapi('SignInEvent');

const ServiceAccountMembershipInput = z.discriminatedUnion('role', [
  z.object({ role: z.literal('COORDINATOR'), authorityId: Uuid }).strict(),
  z.object({ role: z.enum(['PROVIDER_MANAGER', 'PROVIDER_STAFF']), providerId: Uuid }).strict(),
]);

export const CreateServiceAccountBody = z
  .object({
    name: Name.openapi({ example: 'Case management system' }),
    memberships: z.array(ServiceAccountMembershipInput).min(1).max(20).optional().openapi({
      description: 'What it may act as. A coordinator: coordinator of their authority (the default), or manager or staff of a home their authority runs. An administrator: any, and must say.',
    }),
  })
  .strict();

export const ServiceAccountSchema = z
  .object({
    id: Uuid,
    name: z.string(),
    authorityId: Uuid.nullable().openapi({ description: 'The authority whose coordinator made it (null: a platform administrator did)' }),
    createdAt: Instant,
    disabledAt: Instant.nullable(),
    memberships: z.array(z.object({ id: Uuid, role: MembershipRoleSchema, authorityId: Uuid.nullable(), providerId: Uuid.nullable() })),
    tokens: z.array(OwnTokenSchema),
  })
  .openapi('ServiceAccount');

export const ServiceAccountTokenParams = z.object({
  id: Uuid.openapi({ param: { name: 'id', in: 'path' } }),
  tokenId: Uuid.openapi({ param: { name: 'tokenId', in: 'path' } }),
});
