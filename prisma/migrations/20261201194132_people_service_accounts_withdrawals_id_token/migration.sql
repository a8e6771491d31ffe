-- Service accounts made for an authority (and by whom) and disabled; invitations withdrawn before acceptance;
-- the ID token of an OpenID Connect session, for the provider's sign-out.
-- AlterTable
ALTER TABLE "invitation" ADD COLUMN     "withdrawnAt" TIMESTAMPTZ(3);

-- AlterTable
ALTER TABLE "person" ADD COLUMN     "createdByPersonId" TEXT,
ADD COLUMN     "disabledAt" TIMESTAMPTZ(3),
ADD COLUMN     "serviceAccountAuthorityId" TEXT;

-- AlterTable
ALTER TABLE "web_session" ADD COLUMN     "oidcIdToken" TEXT;
