// Mint one API token and print it (nothing else), for operators:
//   npm run --silent token -- coordinator [authorityId|authorityCode]
//   npm run --silent token -- provider <providerId>
//   npm run --silent token -- family <familyId>
//   npm run --silent token -- transport <vehicleId>   (a driver or escort: journey sections of passports only)
//   npm run --silent token -- admin                   (a platform administrator: authorities and providers' operators)
import { db, disconnectDb } from '../src/db.js';
import { mintAdminToken } from '../src/services/people.js';
import { mintToken, type TokenScope } from '../src/services/tokens.js';

const usage = 'usage: token coordinator [authorityId|code] | provider <providerId> | family <familyId> | transport <vehicleId> | admin';

async function scopeFromArgs([role, ref]: string[]): Promise<TokenScope> {
  switch (role) {
    case 'coordinator': {
      const authority = ref
        ? await db().authority.findFirst({ where: { OR: [{ code: ref }, ...(/^[0-9a-f-]{36}$/i.test(ref) ? [{ id: ref }] : [])] } })
        : await db().authority.findFirst({ orderBy: { createdAt: 'asc' } });
      if (!authority) throw new Error(ref ? `no authority ${ref}` : 'no authority yet: run npm start (it loads the demo data) first');
      return { role: 'COORDINATOR', authorityId: authority.id };
    }
    case 'provider':
      if (!ref) throw new Error(usage);
      return { role: 'PROVIDER', providerId: ref };
    case 'family':
      if (!ref) throw new Error(usage);
      return { role: 'FAMILY', familyId: ref };
    case 'transport':
      if (!ref) throw new Error(usage);
      return { role: 'TRANSPORT', vehicleId: ref };
    default:
      throw new Error(usage);
  }
}

try {
  // The administrator's token belongs to the 'Platform administration' service account, through its membership.
  const token = process.argv[2] === 'admin' ? await mintAdminToken('cli') : await mintToken(await scopeFromArgs(process.argv.slice(2)), { label: 'cli' });
  process.stdout.write(`${token}\n`);
} catch (err) {
  const message = (err as Error).message;
  process.stderr.write(`${/No record was found|Record to|not found/i.test(message) ? 'no such provider, family or vehicle' : message}\n`);
  process.exitCode = 1;
} finally {
  await disconnectDb();
}
