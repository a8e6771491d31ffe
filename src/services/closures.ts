/**
 * Provider closure and re-homing (the West Sussex case in ../shared/seeds/002_*),
 * one file per job under ./closures/:
 *  - start.ts: record a closure (no new bookings from its date) and queue the job;
 *  - retry.ts: mark a failed closure, and queue it again;
 *  - plan.ts: phase 1, find everything pointing at the home and plan it (pure planner, one write);
 *  - apply.ts: phase 2, carry out each child's outcomes and move the waiting lists;
 *  - training-holds.ts: confirm or give up places held for carer training;
 *  - view.ts: what each coordinator sees;
 *  - consultation.ts: families rank the alternatives before the plan (CONSULTING), then the coordinator proceeds.
 * Nothing is silently dropped: every affected booking, offer and hold ends
 * MOVED, OFFERED, PENDING_TRAINING, WAITLISTED or CANCELLED_BY_FAMILY, and the counts add up.
 */
export { startClosure, startSuspension } from './closures/start.js';
export { markClosureFailed, retryClosure } from './closures/retry.js';
export { runClosure } from './closures/apply.js';
export { queueTrainingRechecks, recheckTraining } from './closures/training-holds.js';
export { closurePlanNames, getClosure, listClosures, type ClosureView } from './closures/view.js';
export { previewClosure, previewConsultedClosure } from './closures/preview.js';
export { getFamilyConsultation, listFamilyConsultations, proceedClosure, respondToConsultation } from './closures/consultation.js';
