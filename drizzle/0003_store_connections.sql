ALTER TABLE "kaspi_logins" ADD COLUMN "credentials_enc" text;--> statement-breakpoint
ALTER TABLE "kaspi_logins" ADD COLUMN "expires_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "kaspi_stores" ADD COLUMN "connected_via" text;--> statement-breakpoint
ALTER TABLE "kaspi_stores" ADD COLUMN "auto_relogin" boolean DEFAULT false NOT NULL;