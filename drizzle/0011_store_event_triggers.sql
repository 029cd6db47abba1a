-- The cabinet's live stream (store_events): every price decision recorded or changing status, and every
-- product whose price, position, rival or state changed, whichever process wrote it. NOTIFY wakes the API
-- processes that stream the store; identical notifications in one transaction arrive once.
CREATE FUNCTION store_event_for_price_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' OR NEW.status IS DISTINCT FROM OLD.status THEN
    INSERT INTO store_events (store_id, kind, ref_id) VALUES (NEW.store_id, 'decision', NEW.id);
    PERFORM pg_notify('store_events', NEW.store_id::text);
  END IF;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER price_changes_store_event
AFTER INSERT OR UPDATE OF status ON price_changes
FOR EACH ROW EXECUTE FUNCTION store_event_for_price_change();
--> statement-breakpoint
CREATE FUNCTION store_event_for_product() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF (NEW.price, NEW.position, NEW.offers_count, NEW.cheapest_rival_price, NEW.cheapest_rival_merchant, NEW.last_reason,
      NEW.active, NEW.min_price, NEW.max_price, NEW.strategy, NEW.check_errors > 0, NEW.preorder_days)
     IS DISTINCT FROM
     (OLD.price, OLD.position, OLD.offers_count, OLD.cheapest_rival_price, OLD.cheapest_rival_merchant, OLD.last_reason,
      OLD.active, OLD.min_price, OLD.max_price, OLD.strategy, OLD.check_errors > 0, OLD.preorder_days) THEN
    INSERT INTO store_events (store_id, kind, ref_id) VALUES (NEW.store_id, 'product', NEW.id);
    PERFORM pg_notify('store_events', NEW.store_id::text);
  END IF;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER products_store_event
AFTER UPDATE ON products
FOR EACH ROW EXECUTE FUNCTION store_event_for_product();
