-- CreateEnum
CREATE TYPE "MembershipRole" AS ENUM ('COORDINATOR', 'PROVIDER_MANAGER', 'PROVIDER_STAFF', 'CARER', 'PLATFORM_ADMIN');

-- CreateEnum
CREATE TYPE "NotificationRecipient" AS ENUM ('COORDINATOR', 'PROVIDER', 'FAMILY', 'TRANSPORT', 'PERSON', 'INVITATION');

-- AlterEnum
ALTER TYPE "Role" ADD VALUE 'ADMIN';

-- AlterTable
ALTER TABLE "api_token" ADD COLUMN     "membershipId" TEXT,
ADD COLUMN     "personId" TEXT;

-- AlterTable
ALTER TABLE "audit_event" ADD COLUMN     "actorPersonId" TEXT,
ADD COLUMN     "actorSessionId" TEXT,
ADD COLUMN     "actorTokenId" TEXT;

-- AlterTable
-- Kept, not dropped and re-added: every existing notification keeps its recipient.
ALTER TABLE "notification" ALTER COLUMN "recipientRole" TYPE "NotificationRecipient" USING ("recipientRole"::text::"NotificationRecipient");

-- AlterTable
ALTER TABLE "web_session" ADD COLUMN     "membershipId" TEXT,
ADD COLUMN     "method" TEXT NOT NULL DEFAULT 'TOKEN',
ADD COLUMN     "personId" TEXT,
ALTER COLUMN "apiTokenId" DROP NOT NULL;

-- CreateTable
CREATE TABLE "person" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "email" TEXT,
    "serviceAccount" BOOLEAN NOT NULL DEFAULT false,
    "oidcSubject" TEXT,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "person_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "membership" (
    "id" TEXT NOT NULL,
    "personId" TEXT NOT NULL,
    "role" "MembershipRole" NOT NULL,
    "authorityId" TEXT,
    "providerId" TEXT,
    "familyId" TEXT,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "revokedAt" TIMESTAMPTZ(3),

    CONSTRAINT "membership_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "invitation" (
    "id" TEXT NOT NULL,
    "email" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "role" "MembershipRole" NOT NULL,
    "authorityId" TEXT,
    "providerId" TEXT,
    "familyId" TEXT,
    "secretHash" TEXT NOT NULL,
    "invitedByPersonId" TEXT,
    "invitedVia" TEXT NOT NULL,
    "expiresAt" TIMESTAMPTZ(3) NOT NULL,
    "acceptedAt" TIMESTAMPTZ(3),
    "acceptedPersonId" TEXT,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "invitation_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "sign_in_link" (
    "id" TEXT NOT NULL,
    "personId" TEXT NOT NULL,
    "secretHash" TEXT NOT NULL,
    "expiresAt" TIMESTAMPTZ(3) NOT NULL,
    "usedAt" TIMESTAMPTZ(3),
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "sign_in_link_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "person_email_key" ON "person"("email");

-- CreateIndex
CREATE UNIQUE INDEX "person_oidcSubject_key" ON "person"("oidcSubject");

-- CreateIndex
CREATE INDEX "membership_personId_idx" ON "membership"("personId");

-- CreateIndex
CREATE INDEX "membership_familyId_idx" ON "membership"("familyId");

-- CreateIndex
CREATE INDEX "membership_providerId_idx" ON "membership"("providerId");

-- CreateIndex
CREATE UNIQUE INDEX "invitation_secretHash_key" ON "invitation"("secretHash");

-- CreateIndex
CREATE INDEX "invitation_email_idx" ON "invitation"("email");

-- CreateIndex
CREATE UNIQUE INDEX "sign_in_link_secretHash_key" ON "sign_in_link"("secretHash");

-- CreateIndex
CREATE INDEX "sign_in_link_personId_createdAt_idx" ON "sign_in_link"("personId", "createdAt");

-- CreateIndex
CREATE INDEX "web_session_personId_idx" ON "web_session"("personId");

-- AddForeignKey
ALTER TABLE "api_token" ADD CONSTRAINT "api_token_personId_fkey" FOREIGN KEY ("personId") REFERENCES "person"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "api_token" ADD CONSTRAINT "api_token_membershipId_fkey" FOREIGN KEY ("membershipId") REFERENCES "membership"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "web_session" ADD CONSTRAINT "web_session_personId_fkey" FOREIGN KEY ("personId") REFERENCES "person"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "web_session" ADD CONSTRAINT "web_session_membershipId_fkey" FOREIGN KEY ("membershipId") REFERENCES "membership"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "membership" ADD CONSTRAINT "membership_personId_fkey" FOREIGN KEY ("personId") REFERENCES "person"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "membership" ADD CONSTRAINT "membership_authorityId_fkey" FOREIGN KEY ("authorityId") REFERENCES "authority"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "membership" ADD CONSTRAINT "membership_providerId_fkey" FOREIGN KEY ("providerId") REFERENCES "provider"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "membership" ADD CONSTRAINT "membership_familyId_fkey" FOREIGN KEY ("familyId") REFERENCES "family"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "invitation" ADD CONSTRAINT "invitation_providerId_fkey" FOREIGN KEY ("providerId") REFERENCES "provider"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "invitation" ADD CONSTRAINT "invitation_familyId_fkey" FOREIGN KEY ("familyId") REFERENCES "family"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "sign_in_link" ADD CONSTRAINT "sign_in_link_personId_fkey" FOREIGN KEY ("personId") REFERENCES "person"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Hand-written: each membership names exactly what its role is of (the scope its principal is derived from).
ALTER TABLE "membership" ADD CONSTRAINT "membership_scope_check" CHECK (
  ("role" = 'COORDINATOR' AND "authorityId" IS NOT NULL AND "providerId" IS NULL AND "familyId" IS NULL)
  OR ("role" IN ('PROVIDER_MANAGER', 'PROVIDER_STAFF') AND "providerId" IS NOT NULL AND "authorityId" IS NULL AND "familyId" IS NULL)
  OR ("role" = 'CARER' AND "familyId" IS NOT NULL AND "authorityId" IS NOT NULL AND "providerId" IS NULL)
  OR ("role" = 'PLATFORM_ADMIN' AND "authorityId" IS NULL AND "providerId" IS NULL AND "familyId" IS NULL)
);
-- One live membership of each kind per person and scope.
CREATE UNIQUE INDEX "membership_live_unique" ON "membership" ("personId", "role", COALESCE("authorityId", ''), COALESCE("providerId", ''), COALESCE("familyId", '')) WHERE "revokedAt" IS NULL;
-- Emails are stored lower-cased; this keeps it so whatever writes them.
ALTER TABLE "person" ADD CONSTRAINT "person_email_lower_check" CHECK ("email" = lower(btrim("email")));
-- A person signs in by email; only a service account has none.
ALTER TABLE "person" ADD CONSTRAINT "person_email_check" CHECK ("serviceAccount" OR "email" IS NOT NULL);
