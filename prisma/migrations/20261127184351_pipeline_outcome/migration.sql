-- AlterTable
ALTER TABLE "PipelineRun" ADD COLUMN     "finishedAt" TIMESTAMP(3),
ADD COLUMN     "outcome" TEXT,
ADD COLUMN     "published" TEXT[] DEFAULT ARRAY[]::TEXT[];

