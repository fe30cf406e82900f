-- The benchmark policy (bench/policy) written by hand, as a data engineer who
-- knows this policy and this data would write it, in SQL that DuckDB and
-- PostgreSQL both run: the reference the compiled query is measured against
-- (`bench_perf.py --engine duckdb|postgres`). It decides the bench data exactly
-- as the compiled query does (the harness compares every decision), but it
-- knows what a general compiler cannot: customer and candidate ids are unique,
-- so no duplicate check and consent is picked per candidate id; only the
-- candidates in play are ranked; the 2-day gap and the 7-day caps share one
-- scan; spend is summed as DECIMAL. Consent is picked in a sub-query and the
-- walk's step reads the previous row's running counts through LATERAL, as
-- PostgreSQL has no QUALIFY and forbids the recursive CTE in a sub-query (on
-- DuckDB this measures the same as its QUALIFY form). As of 2025-06-30
-- 06:00:00 (generate_data.AS_OF).
WITH RECURSIVE latest_open AS (
  SELECT customer_id, max(sent_at) AS latest
  FROM touches
  WHERE message_class = 'marketing' AND channel = 'email'
    AND sent_at <= TIMESTAMP '2025-06-30 06:00:00' AND opened_at <= TIMESTAMP '2025-06-30 06:00:00'
  GROUP BY customer_id
), unopened AS (
  SELECT t.customer_id, count(*) AS n
  FROM touches AS t LEFT JOIN latest_open AS o ON o.customer_id = t.customer_id
  WHERE t.message_class = 'marketing' AND t.channel = 'email' AND t.sent_at <= TIMESTAMP '2025-06-30 06:00:00'
    AND (o.latest IS NULL OR t.sent_at > o.latest)
  GROUP BY t.customer_id
), week AS (
  SELECT customer_id,
         count(*) AS marketing,
         count(*) FILTER (WHERE channel = 'email') AS email,
         count(*) FILTER (WHERE channel = 'email' AND sent_at > TIMESTAMP '2025-06-28 06:00:00') AS email_2d,
         count(*) FILTER (WHERE channel = 'email' AND business_unit = 'air') AS air_email,
         count(*) FILTER (WHERE channel = 'email' AND business_unit = 'cruises') AS cruises_email,
         count(*) FILTER (WHERE channel = 'email' AND topic = 'offers' AND business_unit = 'hotels') AS hotels_offers
  FROM touches
  WHERE message_class = 'marketing'
    AND sent_at > TIMESTAMP '2025-06-23 06:00:00' AND sent_at <= TIMESTAMP '2025-06-30 06:00:00'
  GROUP BY customer_id
), mail AS (
  SELECT customer_id, sum(coalesce(cost, 0)) AS spent
  FROM touches
  WHERE message_class = 'marketing' AND channel = 'direct_mail'
    AND sent_at > TIMESTAMP '2024-06-30 06:00:00' AND sent_at <= TIMESTAMP '2025-06-30 06:00:00'
  GROUP BY customer_id
), consent AS (
  -- the row in force, unless an opt-out at or after it overrides an opt-in (a NULL date is the oldest)
  SELECT candidate_id,
         opt_in AND NOT (opt_outs > 0 AND (updated_at IS NULL OR coalesce(latest_opt_out >= updated_at, false)))
           AS opt_in
  FROM (
    SELECT c.candidate_id, k.status = 'opt_in' AS opt_in, k.updated_at,
           count(*) FILTER (WHERE k.status <> 'opt_in') OVER (PARTITION BY c.candidate_id) AS opt_outs,
           max(k.updated_at) FILTER (WHERE k.status <> 'opt_in') OVER (PARTITION BY c.candidate_id) AS latest_opt_out,
           row_number() OVER (
             PARTITION BY c.candidate_id
             ORDER BY k.topic IS NOT NULL DESC, k.brand IS NOT NULL DESC, k.updated_at IS NOT NULL DESC,
                      k.updated_at DESC, k.status = 'opt_in') AS pick
    FROM candidates AS c
    JOIN consents AS k
      ON k.customer_id = c.customer_id AND k.channel = c.channel
     AND (k.topic IS NULL OR k.topic = c.topic) AND (k.brand IS NULL OR k.brand = c.business_unit)
     AND (k.updated_at IS NULL OR k.updated_at <= TIMESTAMP '2025-06-30 06:00:00')
  ) AS picked
  WHERE pick = 1
), base AS (
  SELECT c.candidate_id, c.customer_id, c.priority, c.channel,
         c.message_class = 'marketing' AS marketing,
         CASE
           WHEN c.message_class = 'transactional' THEN NULL
           WHEN cu.customer_id IS NULL THEN 'unknown_customer'
           WHEN c.channel IS NULL OR c.channel NOT IN ('email', 'sms', 'push', 'direct_mail') THEN 'unknown_channel'
           WHEN c.topic IS NOT NULL AND c.topic NOT IN ('offers', 'newsletter', 'service') THEN 'unknown_topic'
           WHEN c.business_unit IS NULL OR c.business_unit NOT IN ('cruises', 'hotels', 'air') THEN 'unknown_business_unit'
           WHEN c.message_class IS NULL OR c.message_class <> 'marketing' OR c.priority IS NULL THEN 'invalid_candidate'
           WHEN c.channel = 'email' AND NOT coalesce(k.opt_in, false) THEN 'global.consent_email'
           WHEN c.channel = 'sms' AND NOT coalesce(k.opt_in, false) THEN 'global.consent_sms'
           WHEN c.channel = 'push' AND NOT k.opt_in THEN 'global.consent_push'
           WHEN c.channel = 'direct_mail' AND NOT k.opt_in THEN 'global.consent_direct_mail'
           WHEN cu.lifecycle_stage = 'lead' THEN 'global.no_leads'
           WHEN c.channel = 'email' AND coalesce(u.n, 0) >= 8 THEN 'global.email_fatigue'
         END AS pre_rule,
         -- what the history leaves each batch-dependent rule (NULL: it does not apply)
         CASE WHEN c.channel = 'email' THEN coalesce(w.email_2d, 0) = 0 END AS gap_free,
         6 - coalesce(w.marketing, 0) AS pressure_left,
         CASE WHEN c.channel = 'email' THEN
           CASE WHEN cu.loyalty_tier IN ('gold', 'platinum') THEN 5
                WHEN cu.last_purchase_at <= TIMESTAMP '2024-06-29 06:00:00' THEN 1 ELSE 3 END
           - coalesce(w.email, 0) END AS email_left,
         CASE WHEN c.channel = 'direct_mail' THEN 25.00 - coalesce(m.spent, 0) - coalesce(c.cost, 0) END AS budget_left,
         CASE WHEN c.channel = 'email' AND c.business_unit = 'air' THEN 1 - coalesce(w.air_email, 0) END AS air_left,
         CASE WHEN c.channel = 'email' AND c.business_unit = 'cruises' THEN 1 - coalesce(w.cruises_email, 0) END
           AS cruises_left,
         CASE WHEN c.channel = 'email' AND c.topic = 'offers' AND c.business_unit = 'hotels'
              THEN 1 - coalesce(w.hotels_offers, 0) END AS hotels_left,
         -- what sending it adds to the batch's running counts
         CASE WHEN c.channel = 'email' THEN 1 ELSE 0 END AS adds_email,
         CASE WHEN c.channel = 'direct_mail' THEN coalesce(c.cost, 0) ELSE 0 END AS adds_mail,
         CASE WHEN c.channel = 'email' AND c.business_unit = 'air' THEN 1 ELSE 0 END AS adds_air,
         CASE WHEN c.channel = 'email' AND c.business_unit = 'cruises' THEN 1 ELSE 0 END AS adds_cruises,
         CASE WHEN c.channel = 'email' AND c.topic = 'offers' AND c.business_unit = 'hotels' THEN 1 ELSE 0 END
           AS adds_hotels
  FROM candidates AS c
  LEFT JOIN customers AS cu ON cu.customer_id = c.customer_id
  LEFT JOIN consent AS k ON k.candidate_id = c.candidate_id
  LEFT JOIN unopened AS u ON u.customer_id = c.customer_id
  LEFT JOIN week AS w ON w.customer_id = c.customer_id
  LEFT JOIN mail AS m ON m.customer_id = c.customer_id
), ranked AS (
  SELECT *, row_number() OVER (PARTITION BY customer_id ORDER BY priority DESC, candidate_id) AS rn
  FROM base
  WHERE pre_rule IS NULL AND marketing
), walk AS (
  -- each customer's candidates in order, with what the earlier ones that were sent add up to
  SELECT r.candidate_id, r.customer_id, r.rn, r.adds_email, r.adds_mail, r.adds_air, r.adds_cruises, r.adds_hotels,
         0 AS email, 0 AS marketing, CAST(0 AS DECIMAL(18, 4)) AS mail, 0 AS air, 0 AS cruises, 0 AS hotels,
         CAST(
         CASE
           WHEN NOT r.gap_free THEN 'global.gap_email'
           WHEN 0 >= r.pressure_left THEN 'global.weekly_pressure'
           WHEN 0 >= r.email_left THEN 'global.email_weekly'
           WHEN 0 > r.budget_left THEN 'global.mail_budget'
           WHEN 0 >= r.air_left THEN 'air.air_email'
           WHEN 0 >= r.cruises_left THEN 'cruises.cruises_email'
           WHEN 0 >= r.hotels_left THEN 'hotels.hotels_offers'
         END AS TEXT) AS rule
  FROM ranked AS r
  WHERE r.rn = 1
  UNION ALL
  SELECT r.candidate_id, r.customer_id, r.rn, r.adds_email, r.adds_mail, r.adds_air, r.adds_cruises, r.adds_hotels,
         s.email, s.marketing, s.mail, s.air, s.cruises, s.hotels,
         CAST(
         CASE
           WHEN r.gap_free IS NOT NULL AND (NOT r.gap_free OR s.email >= 1) THEN 'global.gap_email'
           WHEN s.marketing >= r.pressure_left THEN 'global.weekly_pressure'
           WHEN s.email >= r.email_left THEN 'global.email_weekly'
           WHEN s.mail > r.budget_left THEN 'global.mail_budget'
           WHEN s.air >= r.air_left THEN 'air.air_email'
           WHEN s.cruises >= r.cruises_left THEN 'cruises.cruises_email'
           WHEN s.hotels >= r.hotels_left THEN 'hotels.hotels_offers'
         END AS TEXT)
  FROM walk AS w
  CROSS JOIN LATERAL (
    SELECT w.email + CASE WHEN w.rule IS NULL THEN w.adds_email ELSE 0 END AS email,
           w.marketing + CASE WHEN w.rule IS NULL THEN 1 ELSE 0 END AS marketing,
           CAST(w.mail + CASE WHEN w.rule IS NULL THEN w.adds_mail ELSE 0 END AS DECIMAL(18, 4)) AS mail,
           w.air + CASE WHEN w.rule IS NULL THEN w.adds_air ELSE 0 END AS air,
           w.cruises + CASE WHEN w.rule IS NULL THEN w.adds_cruises ELSE 0 END AS cruises,
           w.hotels + CASE WHEN w.rule IS NULL THEN w.adds_hotels ELSE 0 END AS hotels
  ) AS s
  JOIN ranked AS r ON r.customer_id = w.customer_id AND r.rn = w.rn + 1
)
SELECT candidate_id, customer_id, CASE WHEN rule IS NULL THEN 'send' ELSE 'suppress' END AS decision, rule
FROM walk
UNION ALL
SELECT candidate_id, customer_id, CASE WHEN pre_rule IS NULL THEN 'send' ELSE 'suppress' END, pre_rule
FROM base
WHERE pre_rule IS NOT NULL OR NOT marketing
