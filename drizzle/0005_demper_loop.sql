CREATE SEQUENCE "public"."price_change_manual_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1;--> statement-breakpoint
ALTER TABLE "price_changes" ADD COLUMN "seq" bigint NOT NULL GENERATED ALWAYS AS IDENTITY (sequence name "price_changes_seq_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1);--> statement-breakpoint
ALTER TABLE "products" ADD COLUMN "check_errors" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "products" ADD COLUMN "catalog_synced_at" timestamp with time zone;--> statement-breakpoint
CREATE INDEX "price_changes_product_seq_idx" ON "price_changes" USING btree ("product_id","seq");--> statement-breakpoint
CREATE INDEX "price_changes_store_status_idx" ON "price_changes" USING btree ("store_id","status","sent_at");