import { createRouter } from '../../http/app.js';
import * as people from '../../services/people.js';
import { createInvitation, withdrawInvitation } from '../../services/invitations.js';
import { endMembership, listMembers } from '../../services/memberships.js';
import { listSignInEvents } from '../../services/sign-in-events.js';
import * as accounts from '../../services/service-accounts.js';
import * as routes from './people.routes.js';

export const peopleRouter = createRouter()
  .openapi(routes.createAuthorityRoute, async (c) => c.json(await people.createAuthority(c.get('principal'), c.req.valid('json')), 201))
  .openapi(routes.listAuthoritiesRoute, async (c) => c.json({ items: await people.listAuthorities(c.get('principal')) }, 200))
  .openapi(routes.setOperatorRoute, async (c) =>
    c.json(await people.setProviderOperator(c.get('principal'), c.req.valid('param').id, c.req.valid('json').authorityId), 200))
  .openapi(routes.createInvitationRoute, async (c) => c.json(await createInvitation(c.get('principal'), c.req.valid('json')), 201))
  .openapi(routes.withdrawInvitationRoute, async (c) => c.json(await withdrawInvitation(c.get('principal'), c.req.valid('param').id), 200))
  .openapi(routes.meRoute, async (c) => c.json(await people.me(c.get('principal')), 200))
  .openapi(routes.createTokenRoute, async (c) => c.json(await people.createOwnToken(c.get('principal'), c.req.valid('json')), 201))
  .openapi(routes.listTokensRoute, async (c) => c.json({ items: await people.listOwnTokens(c.get('principal')) }, 200))
  .openapi(routes.revokeTokenRoute, async (c) => c.json(await people.revokeOwnToken(c.get('principal'), c.req.valid('param').id), 200))
  .openapi(routes.listMembersRoute, async (c) => c.json(await listMembers(c.get('principal'), c.req.valid('query')), 200))
  .openapi(routes.endMembershipRoute, async (c) => c.json(await endMembership(c.get('principal'), c.req.valid('param').id), 200))
  .openapi(routes.listSignInEventsRoute, async (c) => c.json({ items: await listSignInEvents(c.get('principal'), c.req.valid('query')) }, 200))
  .openapi(routes.createServiceAccountRoute, async (c) => c.json(await accounts.createServiceAccount(c.get('principal'), c.req.valid('json')), 201))
  .openapi(routes.listServiceAccountsRoute, async (c) => c.json({ items: await accounts.listServiceAccounts(c.get('principal')) }, 200))
  .openapi(routes.createServiceAccountTokenRoute, async (c) => c.json(await accounts.createServiceAccountToken(c.get('principal'), c.req.valid('param').id, c.req.valid('json')), 201))
  .openapi(routes.revokeServiceAccountTokenRoute, async (c) => c.json(await accounts.revokeServiceAccountToken(c.get('principal'), c.req.valid('param').id, c.req.valid('param').tokenId), 200))
  .openapi(routes.disableServiceAccountRoute, async (c) => c.json(await accounts.disableServiceAccount(c.get('principal'), c.req.valid('param').id), 200));
