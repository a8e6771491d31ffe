/** Specialist transport owned by an authority. */
import { db } from '../db.js';
import type { Vehicle } from '../generated/prisma/client.js';
import type { CreateVehicleInput } from '../schemas/carers.js';
import { requireRole, type Principal } from './access.js';
import { audit } from './audit.js';
import { transaction } from './tx.js';

export const vehicleView = (v: Vehicle) => ({
  id: v.id,
  authorityId: v.authorityId,
  name: v.name,
  registration: v.registration,
  seats: v.seats,
  wheelchairSpaces: v.wheelchairSpaces,
  hasEscort: v.hasEscort,
  baseLat: v.baseLat,
  baseLng: v.baseLng,
});

export async function createVehicle(principal: Principal, input: CreateVehicleInput) {
  requireRole(principal, 'COORDINATOR');
  return transaction(async (tx) => {
    const vehicle = await tx.vehicle.create({ data: { ...input, authorityId: principal.authorityId } });
    await audit(tx, principal, { action: 'vehicle.created', entityType: 'Vehicle', entityId: vehicle.id, authorityId: principal.authorityId, after: input });
    return vehicleView(vehicle);
  });
}

export async function listVehicles(principal: Principal) {
  requireRole(principal, 'COORDINATOR');
  const vehicles = await db().vehicle.findMany({ where: { authorityId: principal.authorityId }, orderBy: { name: 'asc' } });
  return vehicles.map(vehicleView);
}
