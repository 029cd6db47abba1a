CREATE TABLE "store_events" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"store_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"ref_id" uuid NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "products" ADD COLUMN "cheapest_rival_name" text;--> statement-breakpoint
ALTER TABLE "products" ADD COLUMN "offers_count" integer;--> statement-breakpoint
ALTER TABLE "products" ADD COLUMN "last_reason" text;--> statement-breakpoint
ALTER TABLE "products" ADD COLUMN "stats_day" text;--> statement-breakpoint
ALTER TABLE "products" ADD COLUMN "watched_seconds" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "products" ADD COLUMN "first_seconds" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "products" ADD COLUMN "floor_seconds" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "store_events" ADD CONSTRAINT "store_events_store_id_kaspi_stores_id_fk" FOREIGN KEY ("store_id") REFERENCES "public"."kaspi_stores"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "store_events_store_id_idx" ON "store_events" USING btree ("store_id","id");--> statement-breakpoint
CREATE INDEX "store_events_created_idx" ON "store_events" USING btree ("created_at");