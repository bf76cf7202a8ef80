-- AlterTable
ALTER TABLE "PipelineRun" ADD COLUMN     "triggerKey" TEXT;

-- CreateIndex
CREATE UNIQUE INDEX "PipelineRun_triggerKey_key" ON "PipelineRun"("triggerKey");

