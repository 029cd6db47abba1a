CREATE TABLE "product_days" (
	"product_id" uuid NOT NULL,
	"store_id" uuid NOT NULL,
	"day" text NOT NULL,
	"watched_seconds" integer NOT NULL,
	"first_seconds" integer NOT NULL,
	"floor_seconds" integer NOT NULL,
	CONSTRAINT "product_days_product_id_day_pk" PRIMARY KEY("product_id","day")
);
--> statement-breakpoint
ALTER TABLE "products" ADD COLUMN "commission_percent" numeric(5, 2);--> statement-breakpoint
ALTER TABLE "products" ADD COLUMN "delivery_cost" integer;--> statement-breakpoint
ALTER TABLE "products" ADD COLUMN "tax_percent" numeric(5, 2);--> statement-breakpoint
ALTER TABLE "product_days" ADD CONSTRAINT "product_days_product_id_products_id_fk" FOREIGN KEY ("product_id") REFERENCES "public"."products"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "product_days" ADD CONSTRAINT "product_days_store_id_kaspi_stores_id_fk" FOREIGN KEY ("store_id") REFERENCES "public"."kaspi_stores"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "product_days_store_day_idx" ON "product_days" USING btree ("store_id","day");