import { createRoute, z } from '@hono/zod-openapi';
import { bearerSecurity, errorResponses, IdempotencyHeader, IdParam, jsonBody, jsonContent } from '../../http/openapi.js';
import {
  AuthoritySchema,
  CreateAuthorityBody,
  CreatedTokenSchema,
  CreateInvitationBody,
  CreateTokenBody,
  EndedMembershipSchema,
  InvitationSchema,
  MembersQuery,
  MembersSchema,
  OwnTokenSchema,
  RevokedTokenSchema,
  MeSchema,
  OperatorSchema,
  SetOperatorBody,
  CreateServiceAccountBody,
  ServiceAccountSchema,
  ServiceAccountTokenParams,
  SignInEventSchema,
  SignInEventsQuery,
} from '../../schemas/people.js';

const security = bearerSecurity;

export const createAuthorityRoute = createRoute({
  method: 'post', path: '/v1/authorities', tags: ['Platform administration'], security,
  summary: 'Create an authority (platform administrator)',
  request: { headers: IdempotencyHeader, body: jsonBody(CreateAuthorityBody) },
  responses: { 201: jsonContent(AuthoritySchema, 'Created'), ...errorResponses },
});

export const listAuthoritiesRoute = createRoute({
  method: 'get', path: '/v1/authorities', tags: ['Platform administration'], security,
  summary: 'List authorities (platform administrator)',
  responses: { 200: jsonContent(z.object({ items: z.array(AuthoritySchema) }), 'Authorities'), ...errorResponses },
});

export const setOperatorRoute = createRoute({
  method: 'put', path: '/v1/providers/{id}/operator', tags: ['Platform administration'], security,
  summary: 'Set who runs a provider: an authority, or null for the provider organisation itself (platform administrator)',
  request: { params: IdParam, body: jsonBody(SetOperatorBody) },
  responses: { 200: jsonContent(OperatorSchema, 'The provider’s operator'), ...errorResponses },
});

export const createInvitationRoute = createRoute({
  method: 'post', path: '/v1/invitations', tags: ['People'], security,
  summary: 'Invite a parent or carer of a family (coordinator) or a member of staff (provider manager) by email',
  request: { headers: IdempotencyHeader, body: jsonBody(CreateInvitationBody) },
  responses: { 201: jsonContent(InvitationSchema, 'Invitation sent'), ...errorResponses },
});

export const withdrawInvitationRoute = createRoute({
  method: 'delete', path: '/v1/invitations/{id}', tags: ['People'], security,
  summary: 'Withdraw an invitation not yet accepted (coordinator: its families’ carers; provider manager: its staff; administrator: any): its link no longer works',
  request: { params: IdParam },
  responses: { 200: jsonContent(InvitationSchema, 'Withdrawn (withdrawing it again changes nothing)'), ...errorResponses },
});

export const meRoute = createRoute({
  method: 'get', path: '/v1/me', tags: ['People'], security,
  summary: 'Who the caller is: the person, and the membership the request acts through',
  responses: { 200: jsonContent(MeSchema, 'The caller'), ...errorResponses },
});

export const createTokenRoute = createRoute({
  method: 'post', path: '/v1/me/tokens', tags: ['People'], security,
  summary: 'Create an API token for an integration, acting through one of the caller’s memberships, with an expiry',
  request: { headers: IdempotencyHeader, body: jsonBody(CreateTokenBody) },
  responses: { 201: jsonContent(CreatedTokenSchema, 'Created; the token is shown only now'), ...errorResponses },
});

export const listMembersRoute = createRoute({
  method: 'get', path: '/v1/memberships', tags: ['People'], security,
  summary: 'Who has access that the caller manages: a coordinator, the parents and carers of its families; a provider manager, its staff and managers; an administrator, anyone. With the invitations not yet accepted.',
  request: { query: MembersQuery },
  responses: { 200: jsonContent(MembersSchema, 'Live memberships and open invitations'), ...errorResponses },
});

export const endMembershipRoute = createRoute({
  method: 'delete', path: '/v1/memberships/{id}', tags: ['People'], security,
  summary: 'End a membership (coordinator: its families’ carers; provider manager: its staff; administrator: any), and every session and token acting through it',
  request: { params: IdParam },
  responses: { 200: jsonContent(EndedMembershipSchema, 'Ended (ending it again changes nothing)'), ...errorResponses },
});

export const listTokensRoute = createRoute({
  method: 'get', path: '/v1/me/tokens', tags: ['People'], security,
  summary: 'The caller’s own API tokens (never the tokens themselves), with what each acts through and when it expires',
  responses: { 200: jsonContent(z.object({ items: z.array(OwnTokenSchema) }), 'Tokens'), ...errorResponses },
});

export const revokeTokenRoute = createRoute({
  method: 'delete', path: '/v1/me/tokens/{id}', tags: ['People'], security,
  summary: 'Revoke one of the caller’s own API tokens, and every web session signed in with it',
  request: { params: IdParam },
  responses: { 200: jsonContent(RevokedTokenSchema, 'Revoked (revoking it again changes nothing)'), ...errorResponses },
});

export const listSignInEventsRoute = createRoute({
  method: 'get', path: '/v1/sign-in-events', tags: ['Platform administration'], security,
  summary: 'The latest sign-ins and failed attempts (bad bearer tokens among them), newest first (platform administrator). Failures are recorded per client address up to a bound a minute, and once more (TOO_MANY_FAILURES) when it passes it.',
  request: { query: SignInEventsQuery },
  responses: { 200: jsonContent(z.object({ items: z.array(SignInEventSchema) }), 'Sign-in events'), ...errorResponses },
});

export const createServiceAccountRoute = createRoute({
  method: 'post', path: '/v1/service-accounts', tags: ['People'], security,
  summary: 'Create a named service account for an integration (a coordinator, for their authority; a platform administrator, for any)',
  request: { headers: IdempotencyHeader, body: jsonBody(CreateServiceAccountBody) },
  responses: { 201: jsonContent(ServiceAccountSchema, 'Created'), ...errorResponses },
});

export const listServiceAccountsRoute = createRoute({
  method: 'get', path: '/v1/service-accounts', tags: ['People'], security,
  summary: 'The service accounts the caller manages (a coordinator: those made for their authority; an administrator: all), with their memberships and tokens',
  responses: { 200: jsonContent(z.object({ items: z.array(ServiceAccountSchema) }), 'Service accounts'), ...errorResponses },
});

export const createServiceAccountTokenRoute = createRoute({
  method: 'post', path: '/v1/service-accounts/{id}/tokens', tags: ['People'], security,
  summary: 'Create a token owned by the service account, acting through a subset of its memberships (default: its first), with an expiry; audit events it causes name the service account',
  request: { headers: IdempotencyHeader, params: IdParam, body: jsonBody(CreateTokenBody) },
  responses: { 201: jsonContent(CreatedTokenSchema, 'Created; the token is shown only now'), ...errorResponses },
});

export const revokeServiceAccountTokenRoute = createRoute({
  method: 'delete', path: '/v1/service-accounts/{id}/tokens/{tokenId}', tags: ['People'], security,
  summary: 'Revoke one of a service account’s tokens, and every web session signed in with it',
  request: { params: ServiceAccountTokenParams },
  responses: { 200: jsonContent(RevokedTokenSchema, 'Revoked (revoking it again changes nothing)'), ...errorResponses },
});

export const disableServiceAccountRoute = createRoute({
  method: 'post', path: '/v1/service-accounts/{id}/disable', tags: ['People'], security,
  summary: 'Disable a service account: every token it has stops at once, and no new one can be made',
  request: { params: IdParam },
  responses: { 200: jsonContent(ServiceAccountSchema, 'Disabled (disabling it again changes nothing)'), ...errorResponses },
});
