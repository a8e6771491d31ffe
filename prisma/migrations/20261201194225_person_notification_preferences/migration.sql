-- Each member person of a family, a provider or an authority chooses how they are told; the organisation's
-- existing choices (notification_preference) stay, as the default for members who have not chosen and for
-- organisations with no member people yet. Nothing of them is copied: a member who never chooses keeps
-- following the organisation's choice, whoever changes it.

-- A person's own mobile; without one their texts go to the organisation's number, as before.
ALTER TABLE "person" ADD COLUMN "mobile" TEXT;

CREATE TABLE "person_notification_preference" (
    "personId" TEXT NOT NULL,
    "channels" JSONB NOT NULL DEFAULT '{}',
    "quietHoursStart" TEXT,
    "quietHoursEnd" TEXT,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "person_notification_preference_pkey" PRIMARY KEY ("personId")
);
ALTER TABLE "person_notification_preference" ADD CONSTRAINT "person_notification_preference_personId_fkey" FOREIGN KEY ("personId") REFERENCES "person"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- A notification fans out to each member person: one delivery per person per channel. Deliveries written
-- before (to the organisation's contacts) have no person; NULLS NOT DISTINCT keeps those to one per channel too.
ALTER TABLE "notification_delivery" ADD COLUMN "personId" TEXT;
DROP INDEX "notification_delivery_notificationId_channel_key";
CREATE UNIQUE INDEX "notification_delivery_notificationId_personId_channel_key" ON "notification_delivery"("notificationId", "personId", "channel") NULLS NOT DISTINCT;
CREATE INDEX "notification_delivery_personId_idx" ON "notification_delivery"("personId");
ALTER TABLE "notification_delivery" ADD CONSTRAINT "notification_delivery_personId_fkey" FOREIGN KEY ("personId") REFERENCES "person"("id") ON DELETE CASCADE ON UPDATE CASCADE;
