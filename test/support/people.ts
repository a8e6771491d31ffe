/** People with memberships, and their own API tokens, for tests (each person has a unique address). */
import { addMembership, type NewMembership } from '../../src/services/people.js';
import { mintMembershipToken } from '../../src/services/tokens.js';
import { transaction } from '../../src/services/tx.js';
import { uid } from './factories.js';

export interface TestPerson {
  name: string;
  email: string;
}

export const makePerson = async (name = `Person ${uid()}`): Promise<TestPerson> => ({ name, email: `person-${uid()}@example.org` });

/** Give the person (created on first use) a membership; returns its id. */
export async function addTestMembership(person: TestPerson, m: NewMembership): Promise<{ personId: string; membershipId: string }> {
  return transaction(async (tx) => {
    const { person: p, membership } = await addMembership(tx, person, m);
    return { personId: p.id, membershipId: membership.id };
  });
}

/** A token of the person's own, acting through the membership. */
export async function personToken(person: TestPerson, m: NewMembership): Promise<string> {
  const { membershipId } = await addTestMembership(person, m);
  return transaction(async (tx) => (await mintMembershipToken(tx, membershipId, { label: 'test' })).token);
}
