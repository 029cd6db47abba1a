-- One store_events row per statement and store, naming every product (or decision) the statement changed
-- there, rather than a row per product: a check batch writes its products in one statement, and a row per
-- product made the live stream's bookkeeping the largest writer of a check.
ALTER TABLE "store_events" ADD COLUMN "ref_ids" uuid[];--> statement-breakpoint
UPDATE "store_events" SET "ref_ids" = ARRAY["ref_id"];--> statement-breakpoint
ALTER TABLE "store_events" ALTER COLUMN "ref_ids" SET NOT NULL;--> statement-breakpoint
ALTER TABLE "store_events" DROP COLUMN "ref_id";--> statement-breakpoint
DROP TRIGGER price_changes_store_event ON price_changes;--> statement-breakpoint
DROP TRIGGER products_store_event ON products;--> statement-breakpoint
DROP FUNCTION store_event_for_price_change();--> statement-breakpoint
DROP FUNCTION store_event_for_product();--> statement-breakpoint
-- Whatever writes an event, the API processes streaming its store are woken once per statement.
CREATE FUNCTION notify_store_events() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('store_events', store_id::text) FROM (SELECT DISTINCT store_id FROM added) stores;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER store_events_notify
AFTER INSERT ON store_events REFERENCING NEW TABLE AS added
FOR EACH STATEMENT EXECUTE FUNCTION notify_store_events();
--> statement-breakpoint
-- A trigger with transition tables fires for one kind of statement only, hence one function per kind.
CREATE FUNCTION store_events_for_inserted_price_changes() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO store_events (store_id, kind, ref_ids)
  SELECT store_id, 'decision', array_agg(id) FROM inserted GROUP BY store_id;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER price_changes_inserted_store_event
AFTER INSERT ON price_changes REFERENCING NEW TABLE AS inserted
FOR EACH STATEMENT EXECUTE FUNCTION store_events_for_inserted_price_changes();
--> statement-breakpoint
CREATE FUNCTION store_events_for_updated_price_changes() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO store_events (store_id, kind, ref_ids)
  SELECT n.store_id, 'decision', array_agg(n.id)
  FROM updated n JOIN previous o ON o.id = n.id
  WHERE n.status IS DISTINCT FROM o.status
  GROUP BY n.store_id;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER price_changes_updated_store_event
AFTER UPDATE ON price_changes REFERENCING OLD TABLE AS previous NEW TABLE AS updated
FOR EACH STATEMENT EXECUTE FUNCTION store_events_for_updated_price_changes();
--> statement-breakpoint
-- A product's row is an event when what the cabinet shows of it changed: price, position, rival, state.
CREATE FUNCTION store_events_for_products() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO store_events (store_id, kind, ref_ids)
  SELECT n.store_id, 'product', array_agg(n.id)
  FROM updated n JOIN previous o ON o.id = n.id
  WHERE (n.price, n.position, n.offers_count, n.cheapest_rival_price, n.cheapest_rival_merchant, n.last_reason,
         n.active, n.min_price, n.max_price, n.strategy, n.check_errors > 0, n.preorder_days)
        IS DISTINCT FROM
        (o.price, o.position, o.offers_count, o.cheapest_rival_price, o.cheapest_rival_merchant, o.last_reason,
         o.active, o.min_price, o.max_price, o.strategy, o.check_errors > 0, o.preorder_days)
  GROUP BY n.store_id;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER products_store_event
AFTER UPDATE ON products REFERENCING OLD TABLE AS previous NEW TABLE AS updated
FOR EACH STATEMENT EXECUTE FUNCTION store_events_for_products();
