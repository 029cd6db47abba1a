-- A lease remembers the pace it kept: a proxy whose paced leases are over may go on at that pace at once.
ALTER TABLE "proxy_usage_log" ADD COLUMN "reads_per_second" double precision;