/** Foster carers of family-based providers and their training records. */
import { db } from '../db.js';
import type { FosterCarer, TrainingRecord } from '../generated/prisma/client.js';
import { notFound, unprocessable } from '../errors.js';
import type { CreateCarerInput, CreateTrainingInput } from '../schemas/carers.js';
import { assertReadsProvider, loadOperatedProvider, requireRole, type Principal } from './access.js';
import { audit } from './audit.js';
import { dateOnly, iso, toDbDate } from './serialize.js';
import { transaction } from './tx.js';
import { queueTrainingRechecks } from './closures.js';
import { flushOutboxSoon } from '../jobs/outbox.js';

export const trainingView = (t: TrainingRecord) => ({
  id: t.id,
  carerId: t.carerId,
  need: t.need,
  course: t.course,
  completedOn: dateOnly(t.completedOn),
  expiresOn: dateOnly(t.expiresOn),
  createdAt: iso(t.createdAt),
});

export const carerView = (c: FosterCarer & { training: TrainingRecord[] }) => ({
  id: c.id,
  providerId: c.providerId,
  name: c.name,
  lat: c.lat,
  lng: c.lng,
  training: c.training.map(trainingView),
});

export async function createCarer(principal: Principal, providerId: string, input: CreateCarerInput) {
  requireRole(principal, 'COORDINATOR', 'PROVIDER');
  return transaction(async (tx) => {
    await loadOperatedProvider(tx, principal, providerId);
    const provider = await tx.provider.findUniqueOrThrow({ where: { id: providerId } });
    if (provider.kind !== 'FAMILY_BASED') throw unprocessable('Only family-based providers have foster carers');
    const carer = await tx.fosterCarer.create({ data: { providerId, ...input }, include: { training: true } });
    await audit(tx, principal, { action: 'carer.created', entityType: 'FosterCarer', entityId: carer.id, after: input });
    return carerView(carer);
  });
}

export async function listCarers(principal: Principal, providerId: string) {
  requireRole(principal, 'COORDINATOR', 'PROVIDER');
  assertReadsProvider(principal, providerId);
  const carers = await db().fosterCarer.findMany({ where: { providerId }, include: { training: { orderBy: { expiresOn: 'asc' } } }, orderBy: { name: 'asc' } });
  return carers.map(carerView);
}

export async function addTraining(principal: Principal, carerId: string, input: CreateTrainingInput) {
  requireRole(principal, 'COORDINATOR', 'PROVIDER');
  const view = await transaction(async (tx) => {
    const carer = await tx.fosterCarer.findUnique({ where: { id: carerId } });
    if (!carer) throw notFound('Carer');
    if (principal.role === 'PROVIDER' && principal.providerId !== carer.providerId) throw notFound('Provider');
    await loadOperatedProvider(tx, principal, carer.providerId);
    const record = await tx.trainingRecord.create({
      data: { carerId, need: input.need, course: input.course, completedOn: toDbDate(input.completedOn), expiresOn: toDbDate(input.expiresOn) },
    });
    await audit(tx, principal, { action: 'training.recorded', entityType: 'TrainingRecord', entityId: record.id, after: input });
    // A re-homing plan may be holding a place until this carer is trained .
    await queueTrainingRechecks(tx, carerId, record.id);
    return trainingView(record);
  });
  flushOutboxSoon();
  return view;
}
