-- golden file: policy `history_only` (tests/golden/history_only/), dialect `snowflake`
-- regenerate: POLICYLANG_UPDATE_GOLDEN=1 python3 -m pytest tests/test_golden.py
/* policylang decision query, policy_version 5bcade89e665, as of the engine's current UTC time */
WITH pl_events_occurred_14d AS (
  SELECT
    e.customer_id AS customer_id,
    SUM(CASE WHEN e.event_type = 'complaint' THEN 1 ELSE 0 END) AS n_event_1 /* global.cooldown_marketing (history_only/policies/global.policy:12) */
  FROM events AS e
  WHERE
    (
      e.occurred_at > TIMESTAMPADD(HOUR, -336, SYSDATE())
      AND e.occurred_at <= SYSDATE()
    )
    AND e.event_type = 'complaint'
  GROUP BY
    e.customer_id
), pl_last_opened AS (
  SELECT
    t.customer_id AS customer_id,
    MAX(CASE WHEN t.channel = 'email' AND t.topic = 'offers' THEN t.sent_at END) AS latest_email_offers /* global.stop_email_offers_unopened (history_only/policies/global.policy:13) */
  FROM touches AS t
  WHERE
    (
      t.message_class IS NULL OR t.message_class <> 'transactional'
    )
    AND t.sent_at <= SYSDATE()
    AND t.opened_at <= SYSDATE()
    AND (
      t.channel = 'email' AND t.topic = 'offers'
    )
  GROUP BY
    t.customer_id
), pl_converted AS (
  SELECT
    t.customer_id AS customer_id,
    t.campaign_id AS campaign_id,
    MAX(CASE WHEN t.business_unit = 'cruises' THEN 1 ELSE 0 END) AS converted_cruises /* cruises.stop_marketing_conversion (history_only/policies/cruises.policy:3) */
  FROM touches AS t
  WHERE
    (
      t.message_class IS NULL OR t.message_class <> 'transactional'
    )
    AND t.sent_at <= SYSDATE()
    AND t.converted_at <= SYSDATE()
    AND NOT t.campaign_id IS NULL
    AND t.business_unit = 'cruises'
  GROUP BY
    t.customer_id,
    t.campaign_id
), pl_unopened AS (
  SELECT
    t.customer_id AS customer_id,
    SUM(
      CASE
        WHEN (
          t.channel = 'email' AND t.topic = 'offers'
        )
        AND (
          pl_last_opened.latest_email_offers IS NULL
          OR t.sent_at > pl_last_opened.latest_email_offers
        )
        THEN 1
        ELSE 0
      END
    ) AS n_email_offers /* global.stop_email_offers_unopened (history_only/policies/global.policy:13) */
  FROM touches AS t
  LEFT JOIN pl_last_opened
    ON pl_last_opened.customer_id = t.customer_id
  WHERE
    (
      t.message_class IS NULL OR t.message_class <> 'transactional'
    )
    AND t.sent_at <= SYSDATE()
    AND (
      (
        t.channel = 'email' AND t.topic = 'offers'
      )
      AND (
        pl_last_opened.latest_email_offers IS NULL
        OR t.sent_at > pl_last_opened.latest_email_offers
      )
    )
  GROUP BY
    t.customer_id
), pl_customers AS (
  SELECT
    c.customer_id AS customer_id,
    COUNT(*) OVER (PARTITION BY c.customer_id) AS copies,
    c.last_purchase_at AS a_last_purchase_at,
    c.loyalty_tier AS a_loyalty_tier
  FROM customers AS c
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
  JOIN consents AS k
    ON k.customer_id = c.customer_id
    AND k.channel = c.channel
    AND (
      k.topic IS NULL OR k.topic = c.topic
    )
    AND (
      k.brand IS NULL OR k.brand = c.business_unit
    )
    AND (
      k.updated_at IS NULL OR k.updated_at <= SYSDATE()
    )
  WHERE
    c.channel IN ('email', 'sms')
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
      WHEN c.channel IS NULL OR NOT c.channel IN ('email', 'sms')
      THEN 'unknown_channel' /* built-in check */
      WHEN NOT c.topic IS NULL AND NOT c.topic IN ('offers')
      THEN 'unknown_topic' /* built-in check */
      WHEN c.business_unit IS NULL OR NOT c.business_unit IN ('cruises')
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
      THEN 'global.consent_email' /* global.consent_email (history_only/policies/global.policy:6) */
      WHEN c.channel = 'sms'
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
      THEN 'global.consent_sms' /* global.consent_sms (history_only/policies/global.policy:7) */
      WHEN c.channel = 'sms'
      AND (
        (
          cu.a_last_purchase_at <= TIMESTAMPADD(HOUR, -9600, SYSDATE())
        ) /* segment global.lapsed */
        OR cu.a_loyalty_tier = 'Gold'
      )
      THEN 'global.block_sms' /* global.block_sms (history_only/policies/global.policy:11) */
      WHEN COALESCE(pl_events_occurred_14d.n_event_1, 0) > 0
      THEN 'global.cooldown_marketing' /* global.cooldown_marketing (history_only/policies/global.policy:12) */
      WHEN (
        c.channel = 'email' AND c.topic = 'offers'
      )
      AND COALESCE(pl_unopened.n_email_offers, 0) >= 4
      THEN 'global.stop_email_offers_unopened' /* global.stop_email_offers_unopened (history_only/policies/global.policy:13) */
      WHEN c.business_unit = 'cruises' AND COALESCE(pl_converted.converted_cruises, 0) = 1
      THEN 'cruises.stop_marketing_conversion' /* cruises.stop_marketing_conversion (history_only/policies/cruises.policy:3) */
    END AS pre_rule
  FROM candidates AS c
  LEFT JOIN pl_customers AS cu
    ON cu.customer_id = c.customer_id AND cu.copies = 1
  LEFT JOIN pl_consent AS k
    ON k.customer_id = c.customer_id
    AND k.channel = c.channel
    AND k.topic_key = COALESCE(c.topic, '')
    AND k.business_unit = c.business_unit
    AND k.pick = 1
  LEFT JOIN pl_events_occurred_14d
    ON pl_events_occurred_14d.customer_id = c.customer_id
  LEFT JOIN pl_unopened
    ON pl_unopened.customer_id = c.customer_id
  LEFT JOIN pl_converted
    ON pl_converted.customer_id = c.customer_id
    AND pl_converted.campaign_id = c.campaign_id
)
SELECT
  r.candidate_id,
  r.customer_id,
  CASE WHEN r.pre_rule IS NULL THEN 'send' ELSE 'suppress' END AS decision,
  r.pre_rule AS rule,
  '5bcade89e665' AS policy_version,
  SYSDATE() AS as_of
FROM pl_base AS r
