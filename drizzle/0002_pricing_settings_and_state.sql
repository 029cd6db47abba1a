ALTER TABLE "products" ADD COLUMN "no_rivals_action" text DEFAULT 'hold' NOT NULL;--> statement-breakpoint
ALTER TABLE "products" ADD COLUMN "max_drop_percent_per_change" numeric(5, 2) DEFAULT 10 NOT NULL;--> statement-breakpoint
ALTER TABLE "products" ADD COLUMN "max_drop_percent_per_day" numeric(5, 2) DEFAULT 30 NOT NULL;--> statement-breakpoint
ALTER TABLE "products" ADD COLUMN "price_war_rounds" integer DEFAULT 3 NOT NULL;--> statement-breakpoint
ALTER TABLE "products" ADD COLUMN "price_war_guard_price" integer;--> statement-breakpoint
ALTER TABLE "products" ADD COLUMN "price_war_guard_percent" numeric(5, 2) DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "products" ADD COLUMN "pricing_state" jsonb DEFAULT '{}'::jsonb NOT NULL;