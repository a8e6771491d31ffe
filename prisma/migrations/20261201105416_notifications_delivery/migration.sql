-- CreateEnum
CREATE TYPE "NotificationChannel" AS ENUM ('EMAIL', 'SMS');

-- CreateEnum
CREATE TYPE "DeliveryStatus" AS ENUM ('PENDING', 'SENDING', 'SENT', 'FAILED', 'SKIPPED');

-- AlterEnum
ALTER TYPE "NotificationStatus" ADD VALUE 'ROUTED';

-- AlterTable
ALTER TABLE "authority" ADD COLUMN     "contactEmail" TEXT,
ADD COLUMN     "contactPhone" TEXT;

-- AlterTable
ALTER TABLE "booking" ADD COLUMN     "calendarSequence" INTEGER NOT NULL DEFAULT 0;

-- AlterTable
ALTER TABLE "notification" ADD COLUMN     "authorityId" TEXT,
ADD COLUMN     "prefix" TEXT NOT NULL DEFAULT 'shortbreaks',
ADD COLUMN     "fields" JSONB NOT NULL DEFAULT '{}',
ADD COLUMN     "kind" TEXT NOT NULL DEFAULT 'GENERAL',
ADD COLUMN     "link" TEXT;

-- CreateTable
CREATE TABLE "notification_delivery" (
    "id" TEXT NOT NULL,
    "notificationId" TEXT NOT NULL,
    "channel" "NotificationChannel" NOT NULL,
    "address" TEXT,
    "status" "DeliveryStatus" NOT NULL DEFAULT 'PENDING',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "notBefore" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "claimedAt" TIMESTAMPTZ(3),
    "providerRef" TEXT,
    "lastError" TEXT,
    "sentAt" TIMESTAMPTZ(3),
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "notification_delivery_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "notification_preference" (
    "recipientRole" "Role" NOT NULL,
    "recipientId" TEXT NOT NULL,
    "channels" JSONB NOT NULL DEFAULT '{}',
    "quietHoursStart" TEXT,
    "quietHoursEnd" TEXT,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "notification_preference_pkey" PRIMARY KEY ("recipientRole","recipientId")
);

-- CreateIndex
CREATE INDEX "notification_delivery_status_notBefore_idx" ON "notification_delivery"("status", "notBefore");

-- CreateIndex
CREATE UNIQUE INDEX "notification_delivery_notificationId_channel_key" ON "notification_delivery"("notificationId", "channel");

-- DropIndex
DROP INDEX "notification_status_createdAt_idx";

-- CreateIndex
CREATE INDEX "notification_prefix_status_createdAt_idx" ON "notification"("prefix", "status", "createdAt");

-- CreateIndex
CREATE INDEX "notification_authorityId_createdAt_idx" ON "notification"("authorityId", "createdAt");

-- CreateIndex
CREATE INDEX "notification_recipientRole_recipientId_createdAt_idx" ON "notification"("recipientRole", "recipientId", "createdAt");

-- AddForeignKey
ALTER TABLE "notification_delivery" ADD CONSTRAINT "notification_delivery_notificationId_fkey" FOREIGN KEY ("notificationId") REFERENCES "notification"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- ---------------------------------------------------------------------------
-- iCalendar SEQUENCE (RFC 5545 3.8.7.4): every change a family's phone must
-- pick up bumps the booking's counter here, whichever code path made it
-- (allocation publish, cancellation, swap, re-homing, transport planning).
-- Written by hand: Prisma's schema language cannot express triggers.
-- ---------------------------------------------------------------------------
CREATE FUNCTION booking_bump_calendar_sequence() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF (NEW."status", NEW."startsAt", NEW."endsAt", NEW."slotId") IS DISTINCT FROM (OLD."status", OLD."startsAt", OLD."endsAt", OLD."slotId") THEN
    NEW."calendarSequence" := OLD."calendarSequence" + 1;
  END IF;
  RETURN NEW;
END $$;

CREATE TRIGGER "booking_calendar_sequence"
  BEFORE UPDATE OF "status", "startsAt", "endsAt", "slotId" ON "booking"
  FOR EACH ROW EXECUTE FUNCTION booking_bump_calendar_sequence();

-- A seat added to or taken off a transport run changes the pick-up the event describes.
CREATE FUNCTION transport_seat_bump_calendar_sequence() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    UPDATE "booking" SET "calendarSequence" = "calendarSequence" + 1, "updatedAt" = now() WHERE "id" = OLD."bookingId";
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    UPDATE "booking" SET "calendarSequence" = "calendarSequence" + 1, "updatedAt" = now() WHERE "id" = NEW."bookingId";
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER "transport_seat_calendar_sequence"
  AFTER INSERT OR DELETE OR UPDATE ON "transport_seat"
  FOR EACH ROW EXECUTE FUNCTION transport_seat_bump_calendar_sequence();

-- A run leaving at another time changes every seated child's pick-up.
CREATE FUNCTION transport_run_bump_calendar_sequence() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW."departAt" IS DISTINCT FROM OLD."departAt" THEN
    UPDATE "booking" SET "calendarSequence" = "calendarSequence" + 1, "updatedAt" = now()
      WHERE "id" IN (SELECT "bookingId" FROM "transport_seat" WHERE "runId" = NEW."id");
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER "transport_run_calendar_sequence"
  AFTER UPDATE OF "departAt" ON "transport_run"
  FOR EACH ROW EXECUTE FUNCTION transport_run_bump_calendar_sequence();
