import { z } from '@hono/zod-openapi';
import { CareNeedSchema, Instant, Latitude, LocalDate, Longitude, Name, PlainText, Uuid } from './common.js';

export const CreateCarerBody = z.object({ name: Name, lat: Latitude.optional(), lng: Longitude.optional() }).strict().openapi('CreateCarer');

export const CreateTrainingBody = z
  .object({
    need: CareNeedSchema.openapi({ description: 'The need this course qualifies the carer to meet' }),
    course: Name.openapi({ example: 'Buccal midazolam administration' }),
    completedOn: LocalDate,
    expiresOn: LocalDate,
  })
  .strict()
  .superRefine((v, ctx) => {
    if (v.expiresOn <= v.completedOn) ctx.addIssue({ code: 'custom', path: ['expiresOn'], message: 'must be after completedOn' });
  })
  .openapi('CreateTrainingRecord');

export const TrainingRecordSchema = z
  .object({ id: Uuid, carerId: Uuid, need: CareNeedSchema, course: z.string(), completedOn: z.string(), expiresOn: z.string(), createdAt: Instant })
  .openapi('TrainingRecord');

export const CarerSchema = z
  .object({ id: Uuid, providerId: Uuid, name: z.string(), lat: z.number().nullable(), lng: z.number().nullable(), training: z.array(TrainingRecordSchema) })
  .openapi('FosterCarer');

export const CreateVehicleBody = z
  .object({
    name: Name,
    registration: PlainText().trim().max(20).optional(),
    seats: z.number().int().min(1).max(80),
    wheelchairSpaces: z.number().int().min(0).max(20),
    hasEscort: z.boolean().default(false),
    baseLat: Latitude,
    baseLng: Longitude,
  })
  .strict()
  .openapi('CreateVehicle');

export const VehicleSchema = z
  .object({
    id: Uuid,
    authorityId: Uuid,
    name: z.string(),
    registration: z.string().nullable(),
    seats: z.number().int(),
    wheelchairSpaces: z.number().int(),
    hasEscort: z.boolean(),
    baseLat: z.number(),
    baseLng: z.number(),
  })
  .openapi('Vehicle');

export type CreateCarerInput = z.infer<typeof CreateCarerBody>;
export type CreateTrainingInput = z.infer<typeof CreateTrainingBody>;
export type CreateVehicleInput = z.infer<typeof CreateVehicleBody>;
