-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "public";

-- CreateEnum
CREATE TYPE "CareNeed" AS ENUM ('GASTROSTOMY', 'OXYGEN', 'EPILEPSY_RESCUE_MEDICATION', 'VENTILATION', 'HOIST', 'WHEELCHAIR', 'TWO_TO_ONE_STAFFING', 'CHALLENGING_BEHAVIOUR', 'AUTISM', 'SENSORY_IMPAIRMENT');

-- CreateEnum
CREATE TYPE "ProviderKind" AS ENUM ('RESIDENTIAL', 'COMMUNITY', 'FAMILY_BASED');

-- CreateEnum
CREATE TYPE "ProviderStatus" AS ENUM ('ACTIVE', 'CLOSING', 'CLOSED');

-- CreateEnum
CREATE TYPE "Role" AS ENUM ('COORDINATOR', 'PROVIDER', 'FAMILY');

-- CreateEnum
CREATE TYPE "SlotStatus" AS ENUM ('ACTIVE', 'WITHDRAWN');

-- CreateEnum
CREATE TYPE "BookingStatus" AS ENUM ('ALLOCATED', 'CONFIRMED', 'CANCELLED', 'ATTENDED', 'NO_SHOW', 'REHOMED');

-- CreateEnum
CREATE TYPE "BookingSource" AS ENUM ('ALLOCATION', 'MANUAL', 'SWAP', 'REHOMING');

-- CreateEnum
CREATE TYPE "RequestStatus" AS ENUM ('OPEN', 'ALLOCATED', 'WITHDRAWN');

-- CreateEnum
CREATE TYPE "WaitlistStatus" AS ENUM ('WAITING', 'OFFERED', 'ACCEPTED', 'DECLINED', 'EXPIRED', 'WITHDRAWN');

-- CreateEnum
CREATE TYPE "SwapStatus" AS ENUM ('PROPOSED', 'ACCEPTED', 'COMPLETED', 'REJECTED', 'EXPIRED', 'SUPERSEDED', 'WITHDRAWN');

-- CreateEnum
CREATE TYPE "RoundStatus" AS ENUM ('QUEUED', 'RUNNING', 'COMPLETED', 'PUBLISHED', 'DISCARDED', 'FAILED');

-- CreateEnum
CREATE TYPE "ClosureStatus" AS ENUM ('QUEUED', 'PLANNING', 'COMPLETED', 'FAILED');

-- CreateEnum
CREATE TYPE "RehomingOutcomeKind" AS ENUM ('MOVED', 'OFFERED', 'WAITLISTED', 'PENDING_TRAINING', 'CANCELLED_BY_FAMILY');

-- CreateEnum
CREATE TYPE "NotificationStatus" AS ENUM ('PENDING', 'SENT', 'FAILED');

-- CreateEnum
CREATE TYPE "TransportDirection" AS ENUM ('TO_BREAK', 'FROM_BREAK');

-- CreateTable
CREATE TABLE "authority" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "code" TEXT NOT NULL,
    "swapRequiresApproval" BOOLEAN NOT NULL DEFAULT true,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "authority_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "api_token" (
    "id" TEXT NOT NULL,
    "tokenHash" TEXT NOT NULL,
    "role" "Role" NOT NULL,
    "label" TEXT,
    "authorityId" TEXT,
    "providerId" TEXT,
    "familyId" TEXT,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expiresAt" TIMESTAMPTZ(3),
    "revokedAt" TIMESTAMPTZ(3),

    CONSTRAINT "api_token_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "provider" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "kind" "ProviderKind" NOT NULL,
    "status" "ProviderStatus" NOT NULL DEFAULT 'ACTIVE',
    "addressLine" TEXT NOT NULL,
    "postcode" TEXT NOT NULL,
    "lat" DOUBLE PRECISION NOT NULL,
    "lng" DOUBLE PRECISION NOT NULL,
    "phone" TEXT,
    "email" TEXT,
    "closingFrom" TIMESTAMPTZ(3),
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "provider_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "capacity_rule" (
    "id" TEXT NOT NULL,
    "providerId" TEXT NOT NULL,
    "carerId" TEXT,
    "name" TEXT,
    "rrule" TEXT NOT NULL,
    "startDate" TEXT NOT NULL,
    "untilDate" TEXT,
    "startTime" TEXT NOT NULL,
    "durationMinutes" INTEGER NOT NULL,
    "places" INTEGER NOT NULL,
    "capabilities" "CareNeed"[],
    "reservedForAuthorityId" TEXT,
    "exdates" TEXT[],
    "active" BOOLEAN NOT NULL DEFAULT true,
    "version" INTEGER NOT NULL DEFAULT 1,
    "generatedVersion" INTEGER NOT NULL DEFAULT 0,
    "generatedAt" TIMESTAMPTZ(3),
    "generationConflicts" JSONB NOT NULL DEFAULT '[]',
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "capacity_rule_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "slot" (
    "id" TEXT NOT NULL,
    "providerId" TEXT NOT NULL,
    "capacityRuleId" TEXT NOT NULL,
    "carerId" TEXT,
    "localDate" TEXT NOT NULL,
    "startsAt" TIMESTAMPTZ(3) NOT NULL,
    "endsAt" TIMESTAMPTZ(3) NOT NULL,
    "capacity" INTEGER NOT NULL,
    "booked" INTEGER NOT NULL DEFAULT 0,
    "held" INTEGER NOT NULL DEFAULT 0,
    "capabilities" "CareNeed"[],
    "reservedForAuthorityId" TEXT,
    "status" "SlotStatus" NOT NULL DEFAULT 'ACTIVE',
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "slot_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "foster_carer" (
    "id" TEXT NOT NULL,
    "providerId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "lat" DOUBLE PRECISION,
    "lng" DOUBLE PRECISION,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "foster_carer_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "training_record" (
    "id" TEXT NOT NULL,
    "carerId" TEXT NOT NULL,
    "need" "CareNeed" NOT NULL,
    "course" TEXT NOT NULL,
    "completedOn" DATE NOT NULL,
    "expiresOn" DATE NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "training_record_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "vehicle" (
    "id" TEXT NOT NULL,
    "authorityId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "registration" TEXT,
    "seats" INTEGER NOT NULL,
    "wheelchairSpaces" INTEGER NOT NULL,
    "hasEscort" BOOLEAN NOT NULL DEFAULT false,
    "baseLat" DOUBLE PRECISION NOT NULL,
    "baseLng" DOUBLE PRECISION NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "vehicle_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "family" (
    "id" TEXT NOT NULL,
    "authorityId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "email" TEXT,
    "phone" TEXT,
    "addressLine" TEXT,
    "postcode" TEXT,
    "lat" DOUBLE PRECISION,
    "lng" DOUBLE PRECISION,
    "calendarSecretHash" TEXT,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "family_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "child" (
    "id" TEXT NOT NULL,
    "familyId" TEXT NOT NULL,
    "authorityId" TEXT NOT NULL,
    "firstName" TEXT NOT NULL,
    "lastName" TEXT NOT NULL,
    "dateOfBirth" DATE NOT NULL,
    "needs" "CareNeed"[],
    "needsTransport" BOOLEAN NOT NULL DEFAULT false,
    "needsEscort" BOOLEAN NOT NULL DEFAULT false,
    "passport" JSONB NOT NULL DEFAULT '{}',
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "child_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "entitlement" (
    "id" TEXT NOT NULL,
    "childId" TEXT NOT NULL,
    "periodStart" TEXT NOT NULL,
    "periodEnd" TEXT NOT NULL,
    "nights" INTEGER NOT NULL,
    "daySessions" INTEGER NOT NULL,
    "notes" TEXT,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "entitlement_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "break_request" (
    "id" TEXT NOT NULL,
    "childId" TEXT NOT NULL,
    "authorityId" TEXT NOT NULL,
    "periodStart" TEXT NOT NULL,
    "periodEnd" TEXT NOT NULL,
    "preferences" JSONB NOT NULL,
    "flexible" BOOLEAN NOT NULL DEFAULT false,
    "transportNeeded" BOOLEAN NOT NULL DEFAULT false,
    "nightsWanted" INTEGER,
    "notes" TEXT,
    "status" "RequestStatus" NOT NULL DEFAULT 'OPEN',
    "createdByRole" "Role" NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "break_request_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "booking" (
    "id" TEXT NOT NULL,
    "childId" TEXT NOT NULL,
    "slotId" TEXT NOT NULL,
    "authorityId" TEXT NOT NULL,
    "status" "BookingStatus" NOT NULL DEFAULT 'CONFIRMED',
    "source" "BookingSource" NOT NULL,
    "startsAt" TIMESTAMPTZ(3) NOT NULL,
    "endsAt" TIMESTAMPTZ(3) NOT NULL,
    "nights" INTEGER NOT NULL,
    "requestId" TEXT,
    "roundId" TEXT,
    "replacesBookingId" TEXT,
    "cancelledAt" TIMESTAMPTZ(3),
    "cancelledByRole" "Role",
    "cancelReason" TEXT,
    "attendanceRecordedAt" TIMESTAMPTZ(3),
    "noShowReason" TEXT,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "booking_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "waitlist_entry" (
    "id" TEXT NOT NULL,
    "childId" TEXT NOT NULL,
    "slotId" TEXT NOT NULL,
    "authorityId" TEXT NOT NULL,
    "requestId" TEXT,
    "status" "WaitlistStatus" NOT NULL DEFAULT 'WAITING',
    "rehoming" BOOLEAN NOT NULL DEFAULT false,
    "offeredAt" TIMESTAMPTZ(3),
    "offerExpiresAt" TIMESTAMPTZ(3),
    "bookingId" TEXT,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "waitlist_entry_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "swap" (
    "id" TEXT NOT NULL,
    "authorityId" TEXT NOT NULL,
    "bookingAId" TEXT NOT NULL,
    "bookingBId" TEXT NOT NULL,
    "proposedByFamily" TEXT NOT NULL,
    "status" "SwapStatus" NOT NULL DEFAULT 'PROPOSED',
    "requiresApproval" BOOLEAN NOT NULL,
    "acceptedAt" TIMESTAMPTZ(3),
    "approvedAt" TIMESTAMPTZ(3),
    "completedAt" TIMESTAMPTZ(3),
    "expiresAt" TIMESTAMPTZ(3) NOT NULL,
    "closedReason" TEXT,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "swap_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "allocation_round" (
    "id" TEXT NOT NULL,
    "authorityId" TEXT NOT NULL,
    "periodStart" TEXT NOT NULL,
    "periodEnd" TEXT NOT NULL,
    "seed" TEXT NOT NULL,
    "status" "RoundStatus" NOT NULL DEFAULT 'QUEUED',
    "result" JSONB,
    "metrics" JSONB,
    "error" TEXT,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "startedAt" TIMESTAMPTZ(3),
    "completedAt" TIMESTAMPTZ(3),
    "publishedAt" TIMESTAMPTZ(3),
    "discardedAt" TIMESTAMPTZ(3),

    CONSTRAINT "allocation_round_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "closure" (
    "id" TEXT NOT NULL,
    "providerId" TEXT NOT NULL,
    "authorityId" TEXT NOT NULL,
    "effectiveFrom" TIMESTAMPTZ(3) NOT NULL,
    "reason" TEXT NOT NULL,
    "seed" TEXT NOT NULL,
    "preferences" JSONB NOT NULL,
    "status" "ClosureStatus" NOT NULL DEFAULT 'QUEUED',
    "summary" JSONB,
    "error" TEXT,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "completedAt" TIMESTAMPTZ(3),

    CONSTRAINT "closure_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "rehoming_outcome" (
    "id" TEXT NOT NULL,
    "closureId" TEXT NOT NULL,
    "bookingId" TEXT NOT NULL,
    "childId" TEXT NOT NULL,
    "outcome" "RehomingOutcomeKind" NOT NULL,
    "newBookingId" TEXT,
    "toSlotId" TEXT,
    "reason" TEXT NOT NULL,
    "detail" JSONB NOT NULL DEFAULT '{}',
    "trainingAction" JSONB,
    "transport" JSONB,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "rehoming_outcome_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "transport_run" (
    "id" TEXT NOT NULL,
    "vehicleId" TEXT NOT NULL,
    "providerId" TEXT NOT NULL,
    "direction" "TransportDirection" NOT NULL,
    "departAt" TIMESTAMPTZ(3) NOT NULL,
    "returnAt" TIMESTAMPTZ(3) NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "transport_run_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "transport_seat" (
    "runId" TEXT NOT NULL,
    "bookingId" TEXT NOT NULL,
    "childId" TEXT NOT NULL,

    CONSTRAINT "transport_seat_pkey" PRIMARY KEY ("runId","bookingId")
);

-- CreateTable
CREATE TABLE "notification" (
    "id" TEXT NOT NULL,
    "dedupeKey" TEXT NOT NULL,
    "recipientRole" "Role" NOT NULL,
    "recipientId" TEXT NOT NULL,
    "subject" TEXT NOT NULL,
    "body" TEXT NOT NULL,
    "payload" JSONB NOT NULL DEFAULT '{}',
    "status" "NotificationStatus" NOT NULL DEFAULT 'PENDING',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "lastError" TEXT,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "sentAt" TIMESTAMPTZ(3),

    CONSTRAINT "notification_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "job_outbox" (
    "id" TEXT NOT NULL,
    "queue" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "jobId" TEXT NOT NULL,
    "payload" JSONB NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "enqueuedAt" TIMESTAMPTZ(3),

    CONSTRAINT "job_outbox_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "audit_event" (
    "id" TEXT NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "actorRole" TEXT NOT NULL,
    "actorId" TEXT NOT NULL,
    "action" TEXT NOT NULL,
    "entityType" TEXT NOT NULL,
    "entityId" TEXT NOT NULL,
    "bookingId" TEXT,
    "authorityId" TEXT,
    "before" JSONB,
    "after" JSONB,

    CONSTRAINT "audit_event_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "idempotency_record" (
    "principalId" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "requestHash" TEXT NOT NULL,
    "status" INTEGER NOT NULL,
    "response" JSONB NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "idempotency_record_pkey" PRIMARY KEY ("principalId","key")
);

-- CreateIndex
CREATE UNIQUE INDEX "authority_code_key" ON "authority"("code");

-- CreateIndex
CREATE UNIQUE INDEX "api_token_tokenHash_key" ON "api_token"("tokenHash");

-- CreateIndex
CREATE INDEX "capacity_rule_providerId_idx" ON "capacity_rule"("providerId");

-- CreateIndex
CREATE INDEX "slot_startsAt_idx" ON "slot"("startsAt");

-- CreateIndex
CREATE INDEX "slot_providerId_startsAt_idx" ON "slot"("providerId", "startsAt");

-- CreateIndex
CREATE UNIQUE INDEX "slot_capacityRuleId_localDate_key" ON "slot"("capacityRuleId", "localDate");

-- CreateIndex
CREATE INDEX "foster_carer_providerId_idx" ON "foster_carer"("providerId");

-- CreateIndex
CREATE INDEX "training_record_carerId_idx" ON "training_record"("carerId");

-- CreateIndex
CREATE UNIQUE INDEX "family_calendarSecretHash_key" ON "family"("calendarSecretHash");

-- CreateIndex
CREATE INDEX "family_authorityId_idx" ON "family"("authorityId");

-- CreateIndex
CREATE INDEX "child_familyId_idx" ON "child"("familyId");

-- CreateIndex
CREATE INDEX "child_authorityId_idx" ON "child"("authorityId");

-- CreateIndex
CREATE INDEX "entitlement_childId_idx" ON "entitlement"("childId");

-- CreateIndex
CREATE INDEX "break_request_authorityId_periodStart_idx" ON "break_request"("authorityId", "periodStart");

-- CreateIndex
CREATE INDEX "break_request_childId_idx" ON "break_request"("childId");

-- CreateIndex
CREATE UNIQUE INDEX "booking_replacesBookingId_key" ON "booking"("replacesBookingId");

-- CreateIndex
CREATE INDEX "booking_childId_startsAt_idx" ON "booking"("childId", "startsAt");

-- CreateIndex
CREATE INDEX "booking_slotId_idx" ON "booking"("slotId");

-- CreateIndex
CREATE INDEX "booking_authorityId_startsAt_idx" ON "booking"("authorityId", "startsAt");

-- CreateIndex
CREATE UNIQUE INDEX "booking_roundId_childId_slotId_key" ON "booking"("roundId", "childId", "slotId");

-- CreateIndex
CREATE INDEX "waitlist_entry_slotId_status_idx" ON "waitlist_entry"("slotId", "status");

-- CreateIndex
CREATE UNIQUE INDEX "waitlist_entry_childId_slotId_key" ON "waitlist_entry"("childId", "slotId");

-- CreateIndex
CREATE INDEX "swap_authorityId_status_idx" ON "swap"("authorityId", "status");

-- CreateIndex
CREATE INDEX "allocation_round_authorityId_createdAt_idx" ON "allocation_round"("authorityId", "createdAt");

-- CreateIndex
CREATE UNIQUE INDEX "rehoming_outcome_closureId_bookingId_key" ON "rehoming_outcome"("closureId", "bookingId");

-- CreateIndex
CREATE INDEX "transport_run_vehicleId_departAt_idx" ON "transport_run"("vehicleId", "departAt");

-- CreateIndex
CREATE UNIQUE INDEX "notification_dedupeKey_key" ON "notification"("dedupeKey");

-- CreateIndex
CREATE INDEX "notification_status_createdAt_idx" ON "notification"("status", "createdAt");

-- CreateIndex
CREATE INDEX "job_outbox_enqueuedAt_idx" ON "job_outbox"("enqueuedAt");

-- CreateIndex
CREATE UNIQUE INDEX "job_outbox_queue_jobId_key" ON "job_outbox"("queue", "jobId");

-- CreateIndex
CREATE INDEX "audit_event_entityType_entityId_idx" ON "audit_event"("entityType", "entityId");

-- CreateIndex
CREATE INDEX "audit_event_bookingId_idx" ON "audit_event"("bookingId");

-- AddForeignKey
ALTER TABLE "api_token" ADD CONSTRAINT "api_token_authorityId_fkey" FOREIGN KEY ("authorityId") REFERENCES "authority"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "api_token" ADD CONSTRAINT "api_token_providerId_fkey" FOREIGN KEY ("providerId") REFERENCES "provider"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "api_token" ADD CONSTRAINT "api_token_familyId_fkey" FOREIGN KEY ("familyId") REFERENCES "family"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "capacity_rule" ADD CONSTRAINT "capacity_rule_providerId_fkey" FOREIGN KEY ("providerId") REFERENCES "provider"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "capacity_rule" ADD CONSTRAINT "capacity_rule_carerId_fkey" FOREIGN KEY ("carerId") REFERENCES "foster_carer"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "capacity_rule" ADD CONSTRAINT "capacity_rule_reservedForAuthorityId_fkey" FOREIGN KEY ("reservedForAuthorityId") REFERENCES "authority"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "slot" ADD CONSTRAINT "slot_providerId_fkey" FOREIGN KEY ("providerId") REFERENCES "provider"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "slot" ADD CONSTRAINT "slot_capacityRuleId_fkey" FOREIGN KEY ("capacityRuleId") REFERENCES "capacity_rule"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "slot" ADD CONSTRAINT "slot_carerId_fkey" FOREIGN KEY ("carerId") REFERENCES "foster_carer"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "slot" ADD CONSTRAINT "slot_reservedForAuthorityId_fkey" FOREIGN KEY ("reservedForAuthorityId") REFERENCES "authority"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "foster_carer" ADD CONSTRAINT "foster_carer_providerId_fkey" FOREIGN KEY ("providerId") REFERENCES "provider"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "training_record" ADD CONSTRAINT "training_record_carerId_fkey" FOREIGN KEY ("carerId") REFERENCES "foster_carer"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "vehicle" ADD CONSTRAINT "vehicle_authorityId_fkey" FOREIGN KEY ("authorityId") REFERENCES "authority"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "family" ADD CONSTRAINT "family_authorityId_fkey" FOREIGN KEY ("authorityId") REFERENCES "authority"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "child" ADD CONSTRAINT "child_familyId_fkey" FOREIGN KEY ("familyId") REFERENCES "family"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "child" ADD CONSTRAINT "child_authorityId_fkey" FOREIGN KEY ("authorityId") REFERENCES "authority"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "entitlement" ADD CONSTRAINT "entitlement_childId_fkey" FOREIGN KEY ("childId") REFERENCES "child"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "break_request" ADD CONSTRAINT "break_request_childId_fkey" FOREIGN KEY ("childId") REFERENCES "child"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "break_request" ADD CONSTRAINT "break_request_authorityId_fkey" FOREIGN KEY ("authorityId") REFERENCES "authority"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "booking" ADD CONSTRAINT "booking_childId_fkey" FOREIGN KEY ("childId") REFERENCES "child"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "booking" ADD CONSTRAINT "booking_slotId_fkey" FOREIGN KEY ("slotId") REFERENCES "slot"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "booking" ADD CONSTRAINT "booking_authorityId_fkey" FOREIGN KEY ("authorityId") REFERENCES "authority"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "booking" ADD CONSTRAINT "booking_requestId_fkey" FOREIGN KEY ("requestId") REFERENCES "break_request"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "booking" ADD CONSTRAINT "booking_roundId_fkey" FOREIGN KEY ("roundId") REFERENCES "allocation_round"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "booking" ADD CONSTRAINT "booking_replacesBookingId_fkey" FOREIGN KEY ("replacesBookingId") REFERENCES "booking"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "waitlist_entry" ADD CONSTRAINT "waitlist_entry_childId_fkey" FOREIGN KEY ("childId") REFERENCES "child"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "waitlist_entry" ADD CONSTRAINT "waitlist_entry_slotId_fkey" FOREIGN KEY ("slotId") REFERENCES "slot"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "waitlist_entry" ADD CONSTRAINT "waitlist_entry_authorityId_fkey" FOREIGN KEY ("authorityId") REFERENCES "authority"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "waitlist_entry" ADD CONSTRAINT "waitlist_entry_requestId_fkey" FOREIGN KEY ("requestId") REFERENCES "break_request"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "swap" ADD CONSTRAINT "swap_authorityId_fkey" FOREIGN KEY ("authorityId") REFERENCES "authority"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "allocation_round" ADD CONSTRAINT "allocation_round_authorityId_fkey" FOREIGN KEY ("authorityId") REFERENCES "authority"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "closure" ADD CONSTRAINT "closure_providerId_fkey" FOREIGN KEY ("providerId") REFERENCES "provider"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "closure" ADD CONSTRAINT "closure_authorityId_fkey" FOREIGN KEY ("authorityId") REFERENCES "authority"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "rehoming_outcome" ADD CONSTRAINT "rehoming_outcome_closureId_fkey" FOREIGN KEY ("closureId") REFERENCES "closure"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "rehoming_outcome" ADD CONSTRAINT "rehoming_outcome_bookingId_fkey" FOREIGN KEY ("bookingId") REFERENCES "booking"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "rehoming_outcome" ADD CONSTRAINT "rehoming_outcome_newBookingId_fkey" FOREIGN KEY ("newBookingId") REFERENCES "booking"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "transport_run" ADD CONSTRAINT "transport_run_vehicleId_fkey" FOREIGN KEY ("vehicleId") REFERENCES "vehicle"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "transport_run" ADD CONSTRAINT "transport_run_providerId_fkey" FOREIGN KEY ("providerId") REFERENCES "provider"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "transport_seat" ADD CONSTRAINT "transport_seat_runId_fkey" FOREIGN KEY ("runId") REFERENCES "transport_run"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "transport_seat" ADD CONSTRAINT "transport_seat_bookingId_fkey" FOREIGN KEY ("bookingId") REFERENCES "booking"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "audit_event" ADD CONSTRAINT "audit_event_bookingId_fkey" FOREIGN KEY ("bookingId") REFERENCES "booking"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- ---------------------------------------------------------------------------
-- Invariants held by PostgreSQL itself (DESIGN.md, "Invariants"), so they hold
-- with any number of API and worker processes. Written by hand: Prisma's schema
-- language cannot express CHECK, EXCLUDE or triggers.
-- ---------------------------------------------------------------------------
CREATE EXTENSION IF NOT EXISTS btree_gist;

-- Invariant 1: a slot never holds more children than its places.
ALTER TABLE "slot" ADD CONSTRAINT "slot_places_check"
  CHECK ("capacity" >= 0 AND "booked" >= 0 AND "held" >= 0 AND "booked" + "held" <= "capacity");
ALTER TABLE "slot" ADD CONSTRAINT "slot_times_check" CHECK ("endsAt" > "startsAt");

-- A live booking occupies a place; CANCELLED and REHOMED ones keep their history but free it.
CREATE FUNCTION booking_is_live(s "BookingStatus") RETURNS boolean
  LANGUAGE sql IMMUTABLE AS $$ SELECT s IN ('ALLOCATED', 'CONFIRMED', 'ATTENDED', 'NO_SHOW') $$;

-- slot.booked is maintained here rather than by each caller, so no code path can
-- forget it; the CHECK above then refuses the booking that would overfill.
-- Concurrent bookings of one slot queue on the slot row lock this UPDATE takes.
CREATE FUNCTION booking_maintain_slot_count() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') AND booking_is_live(OLD."status") THEN
    UPDATE "slot" SET "booked" = "booked" - 1 WHERE "id" = OLD."slotId";
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') AND booking_is_live(NEW."status") THEN
    UPDATE "slot" SET "booked" = "booked" + 1 WHERE "id" = NEW."slotId";
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER "booking_slot_count"
  AFTER INSERT OR DELETE OR UPDATE OF "status", "slotId" ON "booking"
  FOR EACH ROW EXECUTE FUNCTION booking_maintain_slot_count();

-- Invariant 2: a child is never in two overlapping live bookings.
ALTER TABLE "booking" ADD CONSTRAINT "booking_no_overlap"
  EXCLUDE USING gist ("childId" WITH =, tstzrange("startsAt", "endsAt") WITH &&)
  WHERE (booking_is_live("status"));
ALTER TABLE "booking" ADD CONSTRAINT "booking_times_check" CHECK ("endsAt" > "startsAt");
