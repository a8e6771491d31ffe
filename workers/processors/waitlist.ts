import { expireOffer, promoteWaitlist } from '../../src/services/waitlist.js';
import { queueProcessor } from '../processor.js';

export const processWaitlist = queueProcessor('waitlist', {
  promoteWaitlist: async ({ slotId }) => ({ offered: await promoteWaitlist(slotId) }),
  expireOffer: async ({ entryId }) => {
    const outcome = await expireOffer(entryId);
    // Delayed jobs can fire a little early on clock skew; retry until the offer is due.
    if (outcome === 'NOT_DUE') throw new Error('offer not yet due to expire');
    return { outcome };
  },
});
