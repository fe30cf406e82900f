-- golden file: policy `travel` (tests/golden/travel/), dialect `snowflake`
-- regenerate: POLICYLANG_UPDATE_GOLDEN=1 python3 -m pytest tests/test_golden.py
/* policylang decision query, policy_version 27f6f84f9f02, as of 2026-06-01 12:00:00 */
WITH RECURSIVE pl_events_occurred_30d AS (
  SELECT
    e.customer_id AS customer_id,
    SUM(CASE WHEN e.event_type = 'complaint' THEN 1 ELSE 0 END) AS n_event_1 /* global.cooldown_marketing (travel/policies/global.policy:37) */
  FROM events AS e
  WHERE
    (
      e.occurred_at > CAST('2026-05-02 12:00:00' AS TIMESTAMP)
      AND e.occurred_at <= CAST('2026-06-01 12:00:00' AS TIMESTAMP)
    )
    AND e.event_type = 'complaint'
  GROUP BY
    e.customer_id
), pl_events_occurred_36h AS (
  SELECT
    e.customer_id AS customer_id,
    SUM(CASE WHEN e.event_type = 'checkout' THEN 1 ELSE 0 END) AS n_event_1 /* hotels.after_checkout (travel/policies/hotels.policy:4) */
  FROM events AS e
  WHERE
    (
      e.occurred_at > CAST('2026-05-31 00:00:00' AS TIMESTAMP)
      AND e.occurred_at <= CAST('2026-06-01 12:00:00' AS TIMESTAMP)
    )
    AND e.event_type = 'checkout'
  GROUP BY
    e.customer_id
), pl_last_opened AS (
  SELECT
    t.customer_id AS customer_id,
    MAX(CASE WHEN t.channel = 'email' THEN t.sent_ts END) AS latest_email, /* global.email_fatigue (travel/policies/global.policy:36) */
    MAX(
      CASE
        WHEN t.channel = 'email' AND t.topic = 'newsletter' AND t.business_unit = 'hotels'
        THEN t.sent_ts
      END
    ) AS latest_email_newsletter_hotels /* hotels.stop_email_newsletter_unopened (travel/policies/hotels.policy:5) */
  FROM crm.touches AS t
  WHERE
    (
      t.message_class IS NULL OR t.message_class <> 'transactional'
    )
    AND t.sent_ts <= CAST('2026-06-01 12:00:00' AS TIMESTAMP)
    AND t.opened_at <= CAST('2026-06-01 12:00:00' AS TIMESTAMP)
    AND (
      t.channel = 'email'
      OR (
        t.channel = 'email' AND t.topic = 'newsletter' AND t.business_unit = 'hotels'
      )
    )
  GROUP BY
    t.customer_id
), pl_converted AS (
  SELECT
    t.customer_id AS customer_id,
    t.campaign_id AS campaign_id,
    MAX(CASE WHEN t.business_unit = 'cruises' THEN 1 ELSE 0 END) AS converted_cruises /* cruises.stop_after_booking (travel/policies/cruises.policy:8) */
  FROM crm.touches AS t
  WHERE
    (
      t.message_class IS NULL OR t.message_class <> 'transactional'
    )
    AND t.sent_ts <= CAST('2026-06-01 12:00:00' AS TIMESTAMP)
    AND t.converted_at <= CAST('2026-06-01 12:00:00' AS TIMESTAMP)
    AND NOT t.campaign_id IS NULL
    AND t.business_unit = 'cruises'
  GROUP BY
    t.customer_id,
    t.campaign_id
), pl_touches_sent_2d AS (
  SELECT
    t.customer_id AS customer_id,
    SUM(CASE WHEN t.channel = 'email' THEN 1 ELSE 0 END) AS n_email /* global.gap_email (travel/policies/global.policy:35) */
  FROM crm.touches AS t
  WHERE
    (
      t.message_class IS NULL OR t.message_class <> 'transactional'
    )
    AND (
      t.sent_ts > CAST('2026-05-30 12:00:00' AS TIMESTAMP)
      AND t.sent_ts <= CAST('2026-06-01 12:00:00' AS TIMESTAMP)
    )
    AND t.channel = 'email'
  GROUP BY
    t.customer_id
), pl_touches_sent_7d AS (
  SELECT
    t.customer_id AS customer_id,
    COUNT(*) AS n_marketing, /* global.weekly_pressure (travel/policies/global.policy:27) */
    SUM(CASE WHEN t.channel = 'email' THEN 1 ELSE 0 END) AS n_email, /* global.email_weekly (travel/policies/global.policy:28) */
    SUM(
      CASE
        WHEN t.channel = 'email' AND t.topic = 'offers' AND t.business_unit = 'cruises'
        THEN 1
        ELSE 0
      END
    ) AS n_email_offers_cruises /* cruises.cap_email_offers_7d (travel/policies/cruises.policy:6) */
  FROM crm.touches AS t
  WHERE
    (
      t.message_class IS NULL OR t.message_class <> 'transactional'
    )
    AND (
      t.sent_ts > CAST('2026-05-25 12:00:00' AS TIMESTAMP)
      AND t.sent_ts <= CAST('2026-06-01 12:00:00' AS TIMESTAMP)
    )
  GROUP BY
    t.customer_id
), pl_touches_sent_365d AS (
  SELECT
    t.customer_id AS customer_id,
    SUM(
      CASE
        WHEN t.channel = 'direct_mail'
        THEN CASE WHEN t.cost > 0 THEN CAST(ROUND(t.cost * 10000) AS BIGINT) ELSE 0 END
        ELSE 0
      END
    ) AS cost_direct_mail /* global.mail_budget (travel/policies/global.policy:34) */
  FROM crm.touches AS t
  WHERE
    (
      t.message_class IS NULL OR t.message_class <> 'transactional'
    )
    AND (
      t.sent_ts > CAST('2025-06-01 12:00:00' AS TIMESTAMP)
      AND t.sent_ts <= CAST('2026-06-01 12:00:00' AS TIMESTAMP)
    )
    AND t.channel = 'direct_mail'
  GROUP BY
    t.customer_id
), pl_touches_sent_1d AS (
  SELECT
    t.customer_id AS customer_id,
    SUM(CASE WHEN t.channel = 'push' AND t.business_unit = 'hotels' THEN 1 ELSE 0 END) AS n_push_hotels /* hotels.cap_push_1d (travel/policies/hotels.policy:6) */
  FROM crm.touches AS t
  WHERE
    (
      t.message_class IS NULL OR t.message_class <> 'transactional'
    )
    AND (
      t.sent_ts > CAST('2026-05-31 12:00:00' AS TIMESTAMP)
      AND t.sent_ts <= CAST('2026-06-01 12:00:00' AS TIMESTAMP)
    )
    AND (
      t.channel = 'push' AND t.business_unit = 'hotels'
    )
  GROUP BY
    t.customer_id
), pl_touches_opened_90d AS (
  SELECT
    t.customer_id AS customer_id,
    SUM(CASE WHEN t.channel = 'email' THEN 1 ELSE 0 END) AS n_email /* score engagement (travel/policies/global.policy:21) */
  FROM crm.touches AS t
  WHERE
    (
      t.message_class IS NULL OR t.message_class <> 'transactional'
    )
    AND t.sent_ts <= CAST('2026-06-01 12:00:00' AS TIMESTAMP)
    AND (
      t.opened_at > CAST('2026-03-03 12:00:00' AS TIMESTAMP)
      AND t.opened_at <= CAST('2026-06-01 12:00:00' AS TIMESTAMP)
    )
    AND t.channel = 'email'
  GROUP BY
    t.customer_id
), pl_events_occurred_180d AS (
  SELECT
    e.customer_id AS customer_id,
    SUM(CASE WHEN e.event_type = 'webinar_attended' THEN 1 ELSE 0 END) AS n_event_1 /* score engagement (travel/policies/global.policy:21) */
  FROM events AS e
  WHERE
    (
      e.occurred_at > CAST('2025-12-03 12:00:00' AS TIMESTAMP)
      AND e.occurred_at <= CAST('2026-06-01 12:00:00' AS TIMESTAMP)
    )
    AND e.event_type = 'webinar_attended'
  GROUP BY
    e.customer_id
), pl_unopened AS (
  SELECT
    t.customer_id AS customer_id,
    SUM(
      CASE
        WHEN t.channel = 'email'
        AND (
          pl_last_opened.latest_email IS NULL OR t.sent_ts > pl_last_opened.latest_email
        )
        THEN 1
        ELSE 0
      END
    ) AS n_email, /* global.email_fatigue (travel/policies/global.policy:36) */
    SUM(
      CASE
        WHEN (
          t.channel = 'email' AND t.topic = 'newsletter' AND t.business_unit = 'hotels'
        )
        AND (
          pl_last_opened.latest_email_newsletter_hotels IS NULL
          OR t.sent_ts > pl_last_opened.latest_email_newsletter_hotels
        )
        THEN 1
        ELSE 0
      END
    ) AS n_email_newsletter_hotels /* hotels.stop_email_newsletter_unopened (travel/policies/hotels.policy:5) */
  FROM crm.touches AS t
  LEFT JOIN pl_last_opened
    ON pl_last_opened.customer_id = t.customer_id
  WHERE
    (
      t.message_class IS NULL OR t.message_class <> 'transactional'
    )
    AND t.sent_ts <= CAST('2026-06-01 12:00:00' AS TIMESTAMP)
    AND (
      (
        t.channel = 'email'
        AND (
          pl_last_opened.latest_email IS NULL OR t.sent_ts > pl_last_opened.latest_email
        )
      )
      OR (
        (
          t.channel = 'email' AND t.topic = 'newsletter' AND t.business_unit = 'hotels'
        )
        AND (
          pl_last_opened.latest_email_newsletter_hotels IS NULL
          OR t.sent_ts > pl_last_opened.latest_email_newsletter_hotels
        )
      )
    )
  GROUP BY
    t.customer_id
), pl_customers AS (
  SELECT
    c.customer_id AS customer_id,
    COUNT(*) OVER (PARTITION BY c.customer_id) AS copies,
    c.lifecycle_stage AS a_lifecycle_stage,
    c.cruises_taken AS a_cruises_taken,
    c.frequent_guest AS a_frequent_guest,
    c.lifetime_value AS a_lifetime_value,
    c.loyalty_tier AS a_loyalty_tier,
    c.last_purchase_at AS a_last_purchase_at,
    c.employees AS a_employees,
    CASE WHEN c.employees >= 100 THEN 20 ELSE 0 END + CASE WHEN c.loyalty_tier IS NULL THEN -10 ELSE 0 END AS s_fit, /* score fit (travel/policies/global.policy:16) */
    5 * COALESCE(pl_touches_opened_90d.n_email, 0) + 25 * COALESCE(pl_events_occurred_180d.n_event_1, 0) AS s_engagement /* score engagement (travel/policies/global.policy:21) */
  FROM customers AS c
  LEFT JOIN pl_touches_opened_90d
    ON pl_touches_opened_90d.customer_id = c.customer_id
  LEFT JOIN pl_events_occurred_180d
    ON pl_events_occurred_180d.customer_id = c.customer_id
), pl_consent AS (
  SELECT
    c.customer_id AS customer_id,
    c.channel AS channel,
    COALESCE(c.topic, '') AS topic_key,
    c.business_unit AS business_unit,
    CASE WHEN k.status = 'opt_in' THEN 1 ELSE 0 END AS opt_in,
    k.updated_at AS updated_at,
    SUM(CASE WHEN CASE WHEN k.status = 'opt_in' THEN 1 ELSE 0 END = 0 THEN 1 ELSE 0 END) OVER (PARTITION BY c.customer_id, c.channel, COALESCE(c.topic, ''), c.business_unit) AS opt_outs,
    MAX(
      CASE WHEN CASE WHEN k.status = 'opt_in' THEN 1 ELSE 0 END = 0 THEN k.updated_at END
    ) OVER (PARTITION BY c.customer_id, c.channel, COALESCE(c.topic, ''), c.business_unit) AS latest_opt_out,
    ROW_NUMBER() OVER (
      PARTITION BY c.customer_id, c.channel, COALESCE(c.topic, ''), c.business_unit
      ORDER BY CASE WHEN NOT k.topic IS NULL THEN 1 ELSE 0 END DESC NULLS LAST, CASE WHEN NOT k.brand IS NULL THEN 1 ELSE 0 END DESC NULLS LAST, CASE WHEN NOT k.updated_at IS NULL THEN 1 ELSE 0 END DESC NULLS LAST, k.updated_at DESC NULLS LAST, CASE WHEN k.status = 'opt_in' THEN 1 ELSE 0 END
    ) AS pick
  FROM candidates AS c
  JOIN crm."Consent Log" AS k
    ON k.customer_id = c.customer_id
    AND k.channel = c.channel
    AND (
      k.topic IS NULL OR k.topic = c.topic
    )
    AND (
      k.brand IS NULL OR k.brand = c.business_unit
    )
    AND (
      k.updated_at IS NULL OR k.updated_at <= CAST('2026-06-01 12:00:00' AS TIMESTAMP)
    )
  WHERE
    c.channel IN ('email', 'sms', 'push', 'direct_mail')
), pl_preference_set AS (
  SELECT DISTINCT
    p.customer_id AS customer_id,
    p.channel AS channel,
    p.topic AS topic,
    p.max_count AS max_count,
    p.window_days AS window_days
  FROM preferences AS p
), pl_preference_rows AS (
  SELECT
    p.customer_id AS customer_id,
    p.channel AS channel,
    p.topic AS topic,
    CASE
      WHEN p.max_count IS NULL
      OR p.max_count < 0
      OR p.window_days IS NULL
      OR p.window_days <= 0
      THEN 0
      ELSE p.max_count - COUNT(t.sent_ts)
    END AS slack
  FROM pl_preference_set AS p
  LEFT JOIN crm.touches AS t
    ON t.customer_id = p.customer_id
    AND t.channel = p.channel
    AND (
      p.topic IS NULL OR t.topic = p.topic
    )
    AND (
      t.message_class IS NULL OR t.message_class <> 'transactional'
    )
    AND t.sent_ts <= CAST('2026-06-01 12:00:00' AS TIMESTAMP)
    AND (
      p.window_days > 365250
      OR t.sent_ts > TIMESTAMPADD(
        DAY,
        -CASE WHEN p.window_days > 365250 THEN 365250 ELSE p.window_days END,
        CAST('2026-06-01 12:00:00' AS TIMESTAMP)
      )
    )
  WHERE
    NOT p.channel IS NULL
  GROUP BY
    p.customer_id,
    p.channel,
    p.topic,
    p.max_count,
    p.window_days
), pl_preferences AS (
  SELECT
    customer_id,
    channel,
    topic,
    MIN(slack) AS slack
  FROM pl_preference_rows
  GROUP BY
    customer_id,
    channel,
    topic
), pl_base AS (
  SELECT
    c.candidate_id AS candidate_id,
    c.customer_id AS customer_id,
    c.customer_id AS ckey,
    c.priority AS priority,
    CASE WHEN c.message_class = 'transactional' THEN 0 ELSE 1 END AS marketing,
    CASE
      WHEN c.message_class = 'transactional'
      THEN NULL
      WHEN cu.customer_id IS NULL
      THEN 'unknown_customer' /* built-in check */
      WHEN c.channel IS NULL OR NOT c.channel IN ('email', 'sms', 'push', 'direct_mail')
      THEN 'unknown_channel' /* built-in check */
      WHEN NOT c.topic IS NULL AND NOT c.topic IN ('offers', 'newsletter')
      THEN 'unknown_topic' /* built-in check */
      WHEN c.business_unit IS NULL OR NOT c.business_unit IN ('cruises', 'hotels')
      THEN 'unknown_business_unit' /* built-in check */
      WHEN c.message_class IS NULL
      OR c.message_class <> 'marketing'
      OR c.priority IS NULL
      OR c.candidate_id IS NULL
      OR COUNT(*) OVER (PARTITION BY c.candidate_id) > 1
      OR c.cost < 0
      THEN 'invalid_candidate' /* built-in check */
      WHEN c.channel = 'email'
      AND CASE
        WHEN k.opt_in = 1
        AND NOT (
          k.opt_outs > 0
          AND (
            k.updated_at IS NULL
            OR CASE WHEN k.latest_opt_out >= k.updated_at THEN 1 ELSE 0 END = 1
          )
        )
        THEN 1
        ELSE 0
      END = 0
      THEN 'global.consent_email' /* global.consent_email (travel/policies/global.policy:7) */
      WHEN c.channel = 'sms'
      AND CASE
        WHEN k.opt_in = 1
        AND NOT (
          k.opt_outs > 0
          AND (
            k.updated_at IS NULL
            OR CASE WHEN k.latest_opt_out >= k.updated_at THEN 1 ELSE 0 END = 1
          )
        )
        THEN 1
        ELSE 0
      END = 0
      THEN 'global.consent_sms' /* global.consent_sms (travel/policies/global.policy:8) */
      WHEN c.channel = 'push'
      AND (
        NOT k.opt_in IS NULL
        AND CASE
          WHEN k.opt_in = 1
          AND NOT (
            k.opt_outs > 0
            AND (
              k.updated_at IS NULL
              OR CASE WHEN k.latest_opt_out >= k.updated_at THEN 1 ELSE 0 END = 1
            )
          )
          THEN 1
          ELSE 0
        END = 0
      )
      THEN 'global.consent_push' /* global.consent_push (travel/policies/global.policy:9) */
      WHEN c.channel = 'direct_mail'
      AND (
        NOT k.opt_in IS NULL
        AND CASE
          WHEN k.opt_in = 1
          AND NOT (
            k.opt_outs > 0
            AND (
              k.updated_at IS NULL
              OR CASE WHEN k.latest_opt_out >= k.updated_at THEN 1 ELSE 0 END = 1
            )
          )
          THEN 1
          ELSE 0
        END = 0
      )
      THEN 'global.consent_direct_mail' /* global.consent_direct_mail (travel/policies/global.policy:10) */
      WHEN (
        cu.a_lifecycle_stage = 'lead' AND cu.s_fit < 40
      ) /* segment global.cold_lead */
      THEN 'global.no_cold_leads' /* global.no_cold_leads (travel/policies/global.policy:26) */
      WHEN (
        c.channel = 'sms' AND c.business_unit = 'cruises'
      )
      AND (
        cu.a_cruises_taken IS NULL OR NOT cu.a_cruises_taken >= 1
      ) /* not segment cruises.past_cruiser */
      THEN 'cruises.block_sms' /* cruises.block_sms (travel/policies/cruises.policy:7) */
      WHEN (
        c.channel = 'direct_mail' AND c.business_unit = 'hotels'
      )
      AND (
        (
          cu.a_frequent_guest IS NULL OR NOT cu.a_frequent_guest = TRUE
        )
        AND cu.a_lifetime_value < 500.50
      )
      THEN 'hotels.block_direct_mail' /* hotels.block_direct_mail (travel/policies/hotels.policy:7) */
      WHEN COALESCE(pl_events_occurred_30d.n_event_1, 0) > 0
      THEN 'global.cooldown_marketing' /* global.cooldown_marketing (travel/policies/global.policy:37) */
      WHEN (
        c.channel = 'email' AND c.business_unit = 'hotels'
      )
      AND COALESCE(pl_events_occurred_36h.n_event_1, 0) > 0
      THEN 'hotels.after_checkout' /* hotels.after_checkout (travel/policies/hotels.policy:4) */
      WHEN c.channel = 'email' AND COALESCE(pl_unopened.n_email, 0) >= 8
      THEN 'global.email_fatigue' /* global.email_fatigue (travel/policies/global.policy:36) */
      WHEN c.business_unit = 'cruises' AND COALESCE(pl_converted.converted_cruises, 0) = 1
      THEN 'cruises.stop_after_booking' /* cruises.stop_after_booking (travel/policies/cruises.policy:8) */
      WHEN (
        c.channel = 'email' AND c.topic = 'newsletter' AND c.business_unit = 'hotels'
      )
      AND COALESCE(pl_unopened.n_email_newsletter_hotels, 0) >= 3
      THEN 'hotels.stop_email_newsletter_unopened' /* hotels.stop_email_newsletter_unopened (travel/policies/hotels.policy:5) */
    END AS pre_rule,
    c.channel AS channel,
    c.topic AS topic,
    CASE
      WHEN c.channel = 'email'
      THEN CASE WHEN COALESCE(pl_touches_sent_2d.n_email, 0) > 0 THEN 0 ELSE 1 END
    END AS rem_global_gap_email,
    6 - COALESCE(pl_touches_sent_7d.n_marketing, 0) AS rem_global_weekly_pressure,
    CASE
      WHEN c.channel = 'email'
      THEN CASE
        WHEN (
          cu.a_loyalty_tier IN ('gold', 'platinum')
        ) /* segment global.high_affinity */
        THEN 5
        WHEN (
          cu.a_last_purchase_at <= CAST('2025-05-31 12:00:00' AS TIMESTAMP)
        ) /* segment global.dormant */
        THEN 1
        WHEN cu.s_engagement >= 20
        THEN 4
        ELSE 3
      END - COALESCE(pl_touches_sent_7d.n_email, 0)
    END AS rem_global_email_weekly,
    CASE
      WHEN c.channel = 'direct_mail'
      THEN 250001 - COALESCE(pl_touches_sent_365d.cost_direct_mail, 0) - CASE WHEN c.cost > 0 THEN CAST(ROUND(c.cost * 10000) AS BIGINT) ELSE 0 END
    END AS rem_global_mail_budget,
    CASE
      WHEN c.channel = 'email' AND c.topic = 'offers' AND c.business_unit = 'cruises'
      THEN 2 - COALESCE(pl_touches_sent_7d.n_email_offers_cruises, 0)
    END AS rem_cruises_cap_email_offers_7d,
    CASE
      WHEN c.channel = 'push' AND c.business_unit = 'hotels'
      THEN 1 - COALESCE(pl_touches_sent_1d.n_push_hotels, 0)
    END AS rem_hotels_cap_push_1d,
    pc.slack AS rem_global_preferences_channel,
    pt.slack AS rem_global_preferences_topic,
    CASE WHEN c.channel = 'email' THEN 1 ELSE 0 END AS c_sent_email,
    1 AS c_sent_marketing,
    CASE
      WHEN c.channel = 'direct_mail'
      THEN CASE WHEN c.cost > 0 THEN CAST(ROUND(c.cost * 10000) AS BIGINT) ELSE 0 END
      ELSE 0
    END AS c_spent_direct_mail,
    CASE
      WHEN c.channel = 'email' AND c.topic = 'offers' AND c.business_unit = 'cruises'
      THEN 1
      ELSE 0
    END AS c_sent_email_offers_cruises,
    CASE WHEN c.channel = 'push' AND c.business_unit = 'hotels' THEN 1 ELSE 0 END AS c_sent_push_hotels,
    CASE WHEN c.channel = 'sms' THEN 1 ELSE 0 END AS c_sent_sms,
    CASE WHEN c.channel = 'push' THEN 1 ELSE 0 END AS c_sent_push,
    CASE WHEN c.channel = 'direct_mail' THEN 1 ELSE 0 END AS c_sent_direct_mail,
    CASE WHEN c.channel = 'email' AND c.topic = 'offers' THEN 1 ELSE 0 END AS c_sent_email_offers,
    CASE WHEN c.channel = 'email' AND c.topic = 'newsletter' THEN 1 ELSE 0 END AS c_sent_email_newsletter,
    CASE WHEN c.channel = 'sms' AND c.topic = 'offers' THEN 1 ELSE 0 END AS c_sent_sms_offers,
    CASE WHEN c.channel = 'sms' AND c.topic = 'newsletter' THEN 1 ELSE 0 END AS c_sent_sms_newsletter,
    CASE WHEN c.channel = 'push' AND c.topic = 'offers' THEN 1 ELSE 0 END AS c_sent_push_offers,
    CASE WHEN c.channel = 'push' AND c.topic = 'newsletter' THEN 1 ELSE 0 END AS c_sent_push_newsletter,
    CASE WHEN c.channel = 'direct_mail' AND c.topic = 'offers' THEN 1 ELSE 0 END AS c_sent_direct_mail_offers,
    CASE WHEN c.channel = 'direct_mail' AND c.topic = 'newsletter' THEN 1 ELSE 0 END AS c_sent_direct_mail_newsletter
  FROM candidates AS c
  LEFT JOIN pl_customers AS cu
    ON cu.customer_id = c.customer_id AND cu.copies = 1
  LEFT JOIN pl_consent AS k
    ON k.customer_id = c.customer_id
    AND k.channel = c.channel
    AND k.topic_key = COALESCE(c.topic, '')
    AND k.business_unit = c.business_unit
    AND k.pick = 1
  LEFT JOIN pl_preferences AS pc
    ON pc.customer_id = c.customer_id AND pc.channel = c.channel AND pc.topic IS NULL
  LEFT JOIN pl_preferences AS pt
    ON pt.customer_id = c.customer_id AND pt.channel = c.channel AND pt.topic = c.topic
  LEFT JOIN pl_events_occurred_30d
    ON pl_events_occurred_30d.customer_id = c.customer_id
  LEFT JOIN pl_events_occurred_36h
    ON pl_events_occurred_36h.customer_id = c.customer_id
  LEFT JOIN pl_unopened
    ON pl_unopened.customer_id = c.customer_id
  LEFT JOIN pl_converted
    ON pl_converted.customer_id = c.customer_id
    AND pl_converted.campaign_id = c.campaign_id
  LEFT JOIN pl_touches_sent_2d
    ON pl_touches_sent_2d.customer_id = c.customer_id
  LEFT JOIN pl_touches_sent_7d
    ON pl_touches_sent_7d.customer_id = c.customer_id
  LEFT JOIN pl_touches_sent_365d
    ON pl_touches_sent_365d.customer_id = c.customer_id
  LEFT JOIN pl_touches_sent_1d
    ON pl_touches_sent_1d.customer_id = c.customer_id
), pl_ranked AS (
  SELECT
    b.candidate_id,
    b.customer_id,
    b.ckey,
    b.pre_rule,
    b.channel,
    b.topic,
    b.rem_global_gap_email,
    b.rem_global_weekly_pressure,
    b.rem_global_email_weekly,
    b.rem_global_mail_budget,
    b.rem_cruises_cap_email_offers_7d,
    b.rem_hotels_cap_push_1d,
    b.rem_global_preferences_channel,
    b.rem_global_preferences_topic,
    b.c_sent_email,
    b.c_sent_marketing,
    b.c_spent_direct_mail,
    b.c_sent_email_offers_cruises,
    b.c_sent_push_hotels,
    b.c_sent_sms,
    b.c_sent_push,
    b.c_sent_direct_mail,
    b.c_sent_email_offers,
    b.c_sent_email_newsletter,
    b.c_sent_sms_offers,
    b.c_sent_sms_newsletter,
    b.c_sent_push_offers,
    b.c_sent_push_newsletter,
    b.c_sent_direct_mail_offers,
    b.c_sent_direct_mail_newsletter,
    CASE
      WHEN b.pre_rule IS NULL AND b.marketing = 1
      THEN ROW_NUMBER() OVER (
        PARTITION BY b.ckey, CASE WHEN b.pre_rule IS NULL AND b.marketing = 1 THEN 1 ELSE 0 END
        ORDER BY b.priority DESC NULLS LAST, b.candidate_id
      )
    END AS rn
  FROM pl_base AS b
), pl_walk AS (
  SELECT
    r.candidate_id,
    r.customer_id,
    r.ckey,
    r.rn,
    r.c_sent_email,
    r.c_sent_marketing,
    r.c_spent_direct_mail,
    r.c_sent_email_offers_cruises,
    r.c_sent_push_hotels,
    r.c_sent_sms,
    r.c_sent_push,
    r.c_sent_direct_mail,
    r.c_sent_email_offers,
    r.c_sent_email_newsletter,
    r.c_sent_sms_offers,
    r.c_sent_sms_newsletter,
    r.c_sent_push_offers,
    r.c_sent_push_newsletter,
    r.c_sent_direct_mail_offers,
    r.c_sent_direct_mail_newsletter,
    CAST(0 AS BIGINT) AS acc_sent_email,
    CAST(0 AS BIGINT) AS acc_sent_marketing,
    CAST(0 AS BIGINT) AS acc_spent_direct_mail,
    CAST(0 AS BIGINT) AS acc_sent_email_offers_cruises,
    CAST(0 AS BIGINT) AS acc_sent_push_hotels,
    CAST(0 AS BIGINT) AS acc_sent_sms,
    CAST(0 AS BIGINT) AS acc_sent_push,
    CAST(0 AS BIGINT) AS acc_sent_direct_mail,
    CAST(0 AS BIGINT) AS acc_sent_email_offers,
    CAST(0 AS BIGINT) AS acc_sent_email_newsletter,
    CAST(0 AS BIGINT) AS acc_sent_sms_offers,
    CAST(0 AS BIGINT) AS acc_sent_sms_newsletter,
    CAST(0 AS BIGINT) AS acc_sent_push_offers,
    CAST(0 AS BIGINT) AS acc_sent_push_newsletter,
    CAST(0 AS BIGINT) AS acc_sent_direct_mail_offers,
    CAST(0 AS BIGINT) AS acc_sent_direct_mail_newsletter,
    CAST(CASE
      WHEN 0 >= r.rem_global_gap_email
      THEN 'global.gap_email' /* global.gap_email (travel/policies/global.policy:35) */
      WHEN 0 >= r.rem_global_weekly_pressure
      THEN 'global.weekly_pressure' /* global.weekly_pressure (travel/policies/global.policy:27) */
      WHEN 0 >= r.rem_global_email_weekly
      THEN 'global.email_weekly' /* global.email_weekly (travel/policies/global.policy:28) */
      WHEN 0 >= r.rem_global_mail_budget
      THEN 'global.mail_budget' /* global.mail_budget (travel/policies/global.policy:34) */
      WHEN 0 >= r.rem_cruises_cap_email_offers_7d
      THEN 'cruises.cap_email_offers_7d' /* cruises.cap_email_offers_7d (travel/policies/cruises.policy:6) */
      WHEN 0 >= r.rem_hotels_cap_push_1d
      THEN 'hotels.cap_push_1d' /* hotels.cap_push_1d (travel/policies/hotels.policy:6) */
      WHEN 0 >= r.rem_global_preferences_channel OR 0 >= r.rem_global_preferences_topic
      THEN 'global.preferences' /* global.preferences (travel/policies/global.policy:38) */
    END AS VARCHAR) AS rule
  FROM pl_ranked AS r
  WHERE
    r.rn = 1
  UNION ALL
  SELECT
    r.candidate_id,
    r.customer_id,
    r.ckey,
    r.rn,
    r.c_sent_email,
    r.c_sent_marketing,
    r.c_spent_direct_mail,
    r.c_sent_email_offers_cruises,
    r.c_sent_push_hotels,
    r.c_sent_sms,
    r.c_sent_push,
    r.c_sent_direct_mail,
    r.c_sent_email_offers,
    r.c_sent_email_newsletter,
    r.c_sent_sms_offers,
    r.c_sent_sms_newsletter,
    r.c_sent_push_offers,
    r.c_sent_push_newsletter,
    r.c_sent_direct_mail_offers,
    r.c_sent_direct_mail_newsletter,
    CAST(w.acc_sent_email + CASE WHEN w.rule IS NULL THEN w.c_sent_email ELSE 0 END AS BIGINT) AS acc_sent_email,
    CAST(w.acc_sent_marketing + CASE WHEN w.rule IS NULL THEN w.c_sent_marketing ELSE 0 END AS BIGINT) AS acc_sent_marketing,
    CAST(w.acc_spent_direct_mail + CASE WHEN w.rule IS NULL THEN w.c_spent_direct_mail ELSE 0 END AS BIGINT) AS acc_spent_direct_mail,
    CAST(w.acc_sent_email_offers_cruises + CASE WHEN w.rule IS NULL THEN w.c_sent_email_offers_cruises ELSE 0 END AS BIGINT) AS acc_sent_email_offers_cruises,
    CAST(w.acc_sent_push_hotels + CASE WHEN w.rule IS NULL THEN w.c_sent_push_hotels ELSE 0 END AS BIGINT) AS acc_sent_push_hotels,
    CAST(w.acc_sent_sms + CASE WHEN w.rule IS NULL THEN w.c_sent_sms ELSE 0 END AS BIGINT) AS acc_sent_sms,
    CAST(w.acc_sent_push + CASE WHEN w.rule IS NULL THEN w.c_sent_push ELSE 0 END AS BIGINT) AS acc_sent_push,
    CAST(w.acc_sent_direct_mail + CASE WHEN w.rule IS NULL THEN w.c_sent_direct_mail ELSE 0 END AS BIGINT) AS acc_sent_direct_mail,
    CAST(w.acc_sent_email_offers + CASE WHEN w.rule IS NULL THEN w.c_sent_email_offers ELSE 0 END AS BIGINT) AS acc_sent_email_offers,
    CAST(w.acc_sent_email_newsletter + CASE WHEN w.rule IS NULL THEN w.c_sent_email_newsletter ELSE 0 END AS BIGINT) AS acc_sent_email_newsletter,
    CAST(w.acc_sent_sms_offers + CASE WHEN w.rule IS NULL THEN w.c_sent_sms_offers ELSE 0 END AS BIGINT) AS acc_sent_sms_offers,
    CAST(w.acc_sent_sms_newsletter + CASE WHEN w.rule IS NULL THEN w.c_sent_sms_newsletter ELSE 0 END AS BIGINT) AS acc_sent_sms_newsletter,
    CAST(w.acc_sent_push_offers + CASE WHEN w.rule IS NULL THEN w.c_sent_push_offers ELSE 0 END AS BIGINT) AS acc_sent_push_offers,
    CAST(w.acc_sent_push_newsletter + CASE WHEN w.rule IS NULL THEN w.c_sent_push_newsletter ELSE 0 END AS BIGINT) AS acc_sent_push_newsletter,
    CAST(w.acc_sent_direct_mail_offers + CASE WHEN w.rule IS NULL THEN w.c_sent_direct_mail_offers ELSE 0 END AS BIGINT) AS acc_sent_direct_mail_offers,
    CAST(w.acc_sent_direct_mail_newsletter + CASE WHEN w.rule IS NULL THEN w.c_sent_direct_mail_newsletter ELSE 0 END AS BIGINT) AS acc_sent_direct_mail_newsletter,
    CAST(CASE
      WHEN w.acc_sent_email + CASE WHEN w.rule IS NULL THEN w.c_sent_email ELSE 0 END >= r.rem_global_gap_email
      THEN 'global.gap_email' /* global.gap_email (travel/policies/global.policy:35) */
      WHEN w.acc_sent_marketing + CASE WHEN w.rule IS NULL THEN w.c_sent_marketing ELSE 0 END >= r.rem_global_weekly_pressure
      THEN 'global.weekly_pressure' /* global.weekly_pressure (travel/policies/global.policy:27) */
      WHEN w.acc_sent_email + CASE WHEN w.rule IS NULL THEN w.c_sent_email ELSE 0 END >= r.rem_global_email_weekly
      THEN 'global.email_weekly' /* global.email_weekly (travel/policies/global.policy:28) */
      WHEN w.acc_spent_direct_mail + CASE WHEN w.rule IS NULL THEN w.c_spent_direct_mail ELSE 0 END >= r.rem_global_mail_budget
      THEN 'global.mail_budget' /* global.mail_budget (travel/policies/global.policy:34) */
      WHEN w.acc_sent_email_offers_cruises + CASE WHEN w.rule IS NULL THEN w.c_sent_email_offers_cruises ELSE 0 END >= r.rem_cruises_cap_email_offers_7d
      THEN 'cruises.cap_email_offers_7d' /* cruises.cap_email_offers_7d (travel/policies/cruises.policy:6) */
      WHEN w.acc_sent_push_hotels + CASE WHEN w.rule IS NULL THEN w.c_sent_push_hotels ELSE 0 END >= r.rem_hotels_cap_push_1d
      THEN 'hotels.cap_push_1d' /* hotels.cap_push_1d (travel/policies/hotels.policy:6) */
      WHEN CASE
        WHEN r.channel = 'email'
        THEN w.acc_sent_email + CASE WHEN w.rule IS NULL THEN w.c_sent_email ELSE 0 END
        WHEN r.channel = 'sms'
        THEN w.acc_sent_sms + CASE WHEN w.rule IS NULL THEN w.c_sent_sms ELSE 0 END
        WHEN r.channel = 'push'
        THEN w.acc_sent_push + CASE WHEN w.rule IS NULL THEN w.c_sent_push ELSE 0 END
        WHEN r.channel = 'direct_mail'
        THEN w.acc_sent_direct_mail + CASE WHEN w.rule IS NULL THEN w.c_sent_direct_mail ELSE 0 END
      END >= r.rem_global_preferences_channel
      OR CASE
        WHEN r.channel = 'email' AND r.topic = 'offers'
        THEN w.acc_sent_email_offers + CASE WHEN w.rule IS NULL THEN w.c_sent_email_offers ELSE 0 END
        WHEN r.channel = 'email' AND r.topic = 'newsletter'
        THEN w.acc_sent_email_newsletter + CASE WHEN w.rule IS NULL THEN w.c_sent_email_newsletter ELSE 0 END
        WHEN r.channel = 'sms' AND r.topic = 'offers'
        THEN w.acc_sent_sms_offers + CASE WHEN w.rule IS NULL THEN w.c_sent_sms_offers ELSE 0 END
        WHEN r.channel = 'sms' AND r.topic = 'newsletter'
        THEN w.acc_sent_sms_newsletter + CASE WHEN w.rule IS NULL THEN w.c_sent_sms_newsletter ELSE 0 END
        WHEN r.channel = 'push' AND r.topic = 'offers'
        THEN w.acc_sent_push_offers + CASE WHEN w.rule IS NULL THEN w.c_sent_push_offers ELSE 0 END
        WHEN r.channel = 'push' AND r.topic = 'newsletter'
        THEN w.acc_sent_push_newsletter + CASE WHEN w.rule IS NULL THEN w.c_sent_push_newsletter ELSE 0 END
        WHEN r.channel = 'direct_mail' AND r.topic = 'offers'
        THEN w.acc_sent_direct_mail_offers + CASE WHEN w.rule IS NULL THEN w.c_sent_direct_mail_offers ELSE 0 END
        WHEN r.channel = 'direct_mail' AND r.topic = 'newsletter'
        THEN w.acc_sent_direct_mail_newsletter + CASE WHEN w.rule IS NULL THEN w.c_sent_direct_mail_newsletter ELSE 0 END
      END >= r.rem_global_preferences_topic
      THEN 'global.preferences' /* global.preferences (travel/policies/global.policy:38) */
    END AS VARCHAR) AS rule
  FROM pl_walk AS w
  JOIN pl_ranked AS r
    ON r.ckey = w.ckey AND r.rn = w.rn + 1
), pl_decided AS (
  SELECT
    r.candidate_id,
    r.customer_id,
    r.pre_rule AS rule
  FROM pl_ranked AS r
  WHERE
    r.rn IS NULL
  UNION ALL
  SELECT
    r.candidate_id,
    r.customer_id,
    r.rule
  FROM pl_walk AS r
)
SELECT
  r.candidate_id,
  r.customer_id,
  CASE WHEN r.rule IS NULL THEN 'send' ELSE 'suppress' END AS decision,
  r.rule AS rule,
  '27f6f84f9f02' AS policy_version,
  CAST('2026-06-01 12:00:00' AS TIMESTAMP) AS as_of
FROM pl_decided AS r
