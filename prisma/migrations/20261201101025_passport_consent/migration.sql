-- CreateEnum
CREATE TYPE "PassportDecision" AS ENUM ('ALLOW', 'DENY');

-- CreateEnum
CREATE TYPE "PassportAccessLevel" AS ENUM ('FULL', 'JOURNEY');

-- CreateEnum
CREATE TYPE "ExportStatus" AS ENUM ('QUEUED', 'COMPLETED', 'FAILED');

-- AlterEnum
ALTER TYPE "Role" ADD VALUE 'TRANSPORT';

-- AlterTable
ALTER TABLE "api_token" ADD COLUMN     "vehicleId" TEXT;

-- AlterTable
ALTER TABLE "child" ADD COLUMN     "passportUpdatedAt" TIMESTAMPTZ(3),
ADD COLUMN     "supportFlag" TEXT;

-- AlterTable
ALTER TABLE "family" ADD COLUMN     "erasedAt" TIMESTAMPTZ(3);

-- CreateTable
CREATE TABLE "passport_consent" (
    "childId" TEXT NOT NULL,
    "providerId" TEXT NOT NULL,
    "decision" "PassportDecision" NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "passport_consent_pkey" PRIMARY KEY ("childId","providerId")
);

-- CreateTable
CREATE TABLE "passport_emergency_access" (
    "id" TEXT NOT NULL,
    "childId" TEXT NOT NULL,
    "authorityId" TEXT NOT NULL,
    "providerId" TEXT,
    "reason" TEXT NOT NULL,
    "grantedBy" TEXT NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expiresAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "passport_emergency_access_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "passport_read" (
    "id" TEXT NOT NULL,
    "childId" TEXT NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "actorRole" "Role" NOT NULL,
    "actorId" TEXT NOT NULL,
    "actorLabel" TEXT,
    "organisationType" TEXT NOT NULL,
    "organisationId" TEXT NOT NULL,
    "organisationName" TEXT NOT NULL,
    "channel" TEXT NOT NULL,
    "level" "PassportAccessLevel" NOT NULL,
    "basis" TEXT NOT NULL,

    CONSTRAINT "passport_read_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "subject_access_export" (
    "id" TEXT NOT NULL,
    "familyId" TEXT NOT NULL,
    "requestedByRole" "Role" NOT NULL,
    "requestedById" TEXT NOT NULL,
    "status" "ExportStatus" NOT NULL DEFAULT 'QUEUED',
    "result" JSONB,
    "error" TEXT,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "completedAt" TIMESTAMPTZ(3),

    CONSTRAINT "subject_access_export_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "passport_emergency_access_childId_expiresAt_idx" ON "passport_emergency_access"("childId", "expiresAt");

-- CreateIndex
CREATE INDEX "passport_read_childId_at_idx" ON "passport_read"("childId", "at");

-- CreateIndex
CREATE INDEX "passport_read_at_idx" ON "passport_read"("at");

-- CreateIndex
CREATE INDEX "subject_access_export_familyId_createdAt_idx" ON "subject_access_export"("familyId", "createdAt");

-- AddForeignKey
ALTER TABLE "api_token" ADD CONSTRAINT "api_token_vehicleId_fkey" FOREIGN KEY ("vehicleId") REFERENCES "vehicle"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "passport_consent" ADD CONSTRAINT "passport_consent_childId_fkey" FOREIGN KEY ("childId") REFERENCES "child"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "passport_consent" ADD CONSTRAINT "passport_consent_providerId_fkey" FOREIGN KEY ("providerId") REFERENCES "provider"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "passport_emergency_access" ADD CONSTRAINT "passport_emergency_access_childId_fkey" FOREIGN KEY ("childId") REFERENCES "child"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "passport_read" ADD CONSTRAINT "passport_read_childId_fkey" FOREIGN KEY ("childId") REFERENCES "child"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "subject_access_export" ADD CONSTRAINT "subject_access_export_familyId_fkey" FOREIGN KEY ("familyId") REFERENCES "family"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- Passports become structured sections (src/schemas/passport.ts). The four free-text
-- sections keep their text as they are; every other old key (medication, dietary,
-- emergencyContact, written as loose sentences) moves word for word into otherNotes,
-- labelled, for the family to sort into the new lists: nothing written is lost.
UPDATE "child" c SET "passport" = jsonb_strip_nulls(jsonb_build_object(
    'communication', NULLIF(btrim(c."passport"->>'communication'), ''),
    'behaviours', NULLIF(btrim(c."passport"->>'behaviours'), ''),
    'calming', NULLIF(btrim(c."passport"->>'calming'), ''),
    'medical', NULLIF(btrim(c."passport"->>'medical'), ''),
    'otherNotes', (
      SELECT NULLIF(string_agg(
        CASE e.key WHEN 'medication' THEN 'Medication' WHEN 'dietary' THEN 'Diet' WHEN 'emergencyContact' THEN 'Emergency contact' ELSE e.key END
        || ': ' || e.value, E'\n' ORDER BY e.key), '')
      FROM jsonb_each_text(c."passport") e
      WHERE e.key NOT IN ('communication', 'behaviours', 'calming', 'medical') AND btrim(e.value) <> ''
    )
  )),
  "passportUpdatedAt" = c."updatedAt"
WHERE jsonb_typeof(c."passport") = 'object' AND c."passport" <> '{}'::jsonb;
