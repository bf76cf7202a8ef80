-- AlterTable
ALTER TABLE "Publication" ADD COLUMN     "builtIn" TEXT,
ADD COLUMN     "kept" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "keptReason" TEXT,
ADD COLUMN     "release" TEXT;

-- Publications before this migration approved every file they list, built in their own compose;
-- their release is the compose id without its date, type and respin (domain/compose-id.ts).
UPDATE "Publication" SET "builtIn" = "composeId",
  "release" = regexp_replace("composeId", '-[0-9]{8}(\.n|\.t|\.ci)?\.[0-9]+$', '');
ALTER TABLE "Publication" ALTER COLUMN "release" SET NOT NULL;

-- CreateIndex
CREATE INDEX "Publication_release_publishedAt_idx" ON "Publication"("release", "publishedAt");
