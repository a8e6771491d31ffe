-- Nights a family wants together in one home (a weekend, a week); null = nights may come singly.
ALTER TABLE "break_request" ADD COLUMN "stayNights" INTEGER;
ALTER TABLE "break_request" ADD CONSTRAINT "break_request_stayNights_check" CHECK ("stayNights" IS NULL OR "stayNights" BETWEEN 1 AND 14);
