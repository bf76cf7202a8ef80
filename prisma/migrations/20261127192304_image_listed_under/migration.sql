-- AlterTable
ALTER TABLE "Image" ADD COLUMN     "listedUnder" TEXT[] DEFAULT ARRAY[]::TEXT[];

