-- golden file: policy `history_only` (tests/golden/history_only/), dialect `mysql`
-- regenerate: POLICYLANG_UPDATE_GOLDEN=1 python3 -m pytest tests/test_golden.py
/* policylang decision query, policy_version 5bcade89e665, as of the engine's current UTC time */
WITH pl_events_occurred_14d AS (
  SELECT
    CAST(e.customer_id AS BINARY) AS customer_id,
    SUM(CASE WHEN CAST(e.event_type AS BINARY) = 'complaint' THEN 1 ELSE 0 END) AS n_event_1 /* global.cooldown_marketing (history_only/policies/global.policy:12) */
  FROM events AS e
  WHERE
    (
      e.occurred_at > DATE_ADD(UTC_TIMESTAMP(6), INTERVAL -336 HOUR)
      AND e.occurred_at <= UTC_TIMESTAMP(6)
    )
    AND CAST(e.event_type AS BINARY) = 'complaint'
  GROUP BY
    CAST(e.customer_id AS BINARY)
), pl_last_opened AS (
  SELECT
    CAST(t.customer_id AS BINARY) AS customer_id,
    MAX(
      CASE
        WHEN CAST(t.channel AS BINARY) = 'email' AND CAST(t.topic AS BINARY) = 'offers'
        THEN t.sent_at
      END
    ) AS latest_email_offers /* global.stop_email_offers_unopened (history_only/policies/global.policy:13) */
  FROM touches AS t
  WHERE
    (
      t.message_class IS NULL OR CAST(t.message_class AS BINARY) <> 'transactional'
    )
    AND t.sent_at <= UTC_TIMESTAMP(6)
    AND t.opened_at <= UTC_TIMESTAMP(6)
    AND (
      CAST(t.channel AS BINARY) = 'email' AND CAST(t.topic AS BINARY) = 'offers'
    )
  GROUP BY
    CAST(t.customer_id AS BINARY)
), pl_converted AS (
  SELECT
    CAST(t.customer_id AS BINARY) AS customer_id,
    CAST(t.campaign_id AS BINARY) AS campaign_id,
    MAX(CASE WHEN CAST(t.business_unit AS BINARY) = 'cruises' THEN 1 ELSE 0 END) AS converted_cruises /* cruises.stop_marketing_conversion (history_only/policies/cruises.policy:3) */
  FROM touches AS t
  WHERE
    (
      t.message_class IS NULL OR CAST(t.message_class AS BINARY) <> 'transactional'
    )
    AND t.sent_at <= UTC_TIMESTAMP(6)
    AND t.converted_at <= UTC_TIMESTAMP(6)
    AND NOT t.campaign_id IS NULL
    AND CAST(t.business_unit AS BINARY) = 'cruises'
  GROUP BY
    CAST(t.customer_id AS BINARY),
    CAST(t.campaign_id AS BINARY)
), pl_unopened AS (
  SELECT
    CAST(t.customer_id AS BINARY) AS customer_id,
    SUM(
      CASE
        WHEN (
          CAST(t.channel AS BINARY) = 'email' AND CAST(t.topic AS BINARY) = 'offers'
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
    ON pl_last_opened.customer_id = CAST(t.customer_id AS BINARY)
  WHERE
    (
      t.message_class IS NULL OR CAST(t.message_class AS BINARY) <> 'transactional'
    )
    AND t.sent_at <= UTC_TIMESTAMP(6)
    AND (
      (
        CAST(t.channel AS BINARY) = 'email' AND CAST(t.topic AS BINARY) = 'offers'
      )
      AND (
        pl_last_opened.latest_email_offers IS NULL
        OR t.sent_at > pl_last_opened.latest_email_offers
      )
    )
  GROUP BY
    CAST(t.customer_id AS BINARY)
), pl_customers AS (
  SELECT
    CAST(c.customer_id AS BINARY) AS customer_id,
    COUNT(*) OVER (PARTITION BY CAST(c.customer_id AS BINARY)) AS copies,
    c.last_purchase_at AS a_last_purchase_at,
    CAST(c.loyalty_tier AS BINARY) AS a_loyalty_tier
  FROM customers AS c
), pl_consent AS (
  SELECT
    CAST(c.customer_id AS BINARY) AS customer_id,
    CAST(c.channel AS BINARY) AS channel,
    COALESCE(CAST(c.topic AS BINARY), '') AS topic_key,
    CAST(c.business_unit AS BINARY) AS business_unit,
    CASE WHEN CAST(k.status AS BINARY) = 'opt_in' THEN 1 ELSE 0 END AS opt_in,
    k.updated_at AS updated_at,
    SUM(
      CASE
        WHEN CASE WHEN CAST(k.status AS BINARY) = 'opt_in' THEN 1 ELSE 0 END = 0
        THEN 1
        ELSE 0
      END
    ) OVER (
      PARTITION BY CAST(c.customer_id AS BINARY), CAST(c.channel AS BINARY), COALESCE(CAST(c.topic AS BINARY), ''), CAST(c.business_unit AS BINARY)
    ) AS opt_outs,
    MAX(
      CASE
        WHEN CASE WHEN CAST(k.status AS BINARY) = 'opt_in' THEN 1 ELSE 0 END = 0
        THEN k.updated_at
      END
    ) OVER (
      PARTITION BY CAST(c.customer_id AS BINARY), CAST(c.channel AS BINARY), COALESCE(CAST(c.topic AS BINARY), ''), CAST(c.business_unit AS BINARY)
    ) AS latest_opt_out,
    ROW_NUMBER() OVER (
      PARTITION BY CAST(c.customer_id AS BINARY), CAST(c.channel AS BINARY), COALESCE(CAST(c.topic AS BINARY), ''), CAST(c.business_unit AS BINARY)
      ORDER BY CASE WHEN NOT k.topic IS NULL THEN 1 ELSE 0 END DESC, CASE WHEN NOT k.brand IS NULL THEN 1 ELSE 0 END DESC, CASE WHEN NOT k.updated_at IS NULL THEN 1 ELSE 0 END DESC, k.updated_at DESC, CASE WHEN CASE WHEN CAST(k.status AS BINARY) = 'opt_in' THEN 1 ELSE 0 END IS NULL THEN 1 ELSE 0 END, CASE WHEN CAST(k.status AS BINARY) = 'opt_in' THEN 1 ELSE 0 END
    ) AS pick
  FROM candidates AS c
  JOIN consents AS k
    ON CAST(k.customer_id AS BINARY) = CAST(c.customer_id AS BINARY)
    AND CAST(k.channel AS BINARY) = CAST(c.channel AS BINARY)
    AND (
      k.topic IS NULL OR CAST(k.topic AS BINARY) = CAST(c.topic AS BINARY)
    )
    AND (
      k.brand IS NULL OR CAST(k.brand AS BINARY) = CAST(c.business_unit AS BINARY)
    )
    AND (
      k.updated_at IS NULL OR k.updated_at <= UTC_TIMESTAMP(6)
    )
  WHERE
    CAST(c.channel AS BINARY) IN ('email', 'sms')
), pl_base AS (
  SELECT
    c.candidate_id AS candidate_id,
    c.customer_id AS customer_id,
    CAST(c.customer_id AS BINARY) AS ckey,
    c.priority AS priority,
    CASE WHEN CAST(c.message_class AS BINARY) = 'transactional' THEN 0 ELSE 1 END AS marketing,
    CASE
      WHEN CAST(c.message_class AS BINARY) = 'transactional'
      THEN NULL
      WHEN cu.customer_id IS NULL
      THEN 'unknown_customer' /* built-in check */
      WHEN c.channel IS NULL OR NOT CAST(c.channel AS BINARY) IN ('email', 'sms')
      THEN 'unknown_channel' /* built-in check */
      WHEN NOT c.topic IS NULL AND NOT CAST(c.topic AS BINARY) IN ('offers')
      THEN 'unknown_topic' /* built-in check */
      WHEN c.business_unit IS NULL OR NOT CAST(c.business_unit AS BINARY) IN ('cruises')
      THEN 'unknown_business_unit' /* built-in check */
      WHEN c.message_class IS NULL
      OR CAST(c.message_class AS BINARY) <> 'marketing'
      OR c.priority IS NULL
      OR c.candidate_id IS NULL
      OR COUNT(*) OVER (PARTITION BY CAST(c.candidate_id AS BINARY)) > 1
      OR c.cost < 0
      THEN 'invalid_candidate' /* built-in check */
      WHEN CAST(c.channel AS BINARY) = 'email'
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
      WHEN CAST(c.channel AS BINARY) = 'sms'
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
      WHEN CAST(c.channel AS BINARY) = 'sms'
      AND (
        (
          cu.a_last_purchase_at <= DATE_ADD(UTC_TIMESTAMP(6), INTERVAL -9600 HOUR)
        ) /* segment global.lapsed */
        OR cu.a_loyalty_tier = 'Gold'
      )
      THEN 'global.block_sms' /* global.block_sms (history_only/policies/global.policy:11) */
      WHEN COALESCE(pl_events_occurred_14d.n_event_1, 0) > 0
      THEN 'global.cooldown_marketing' /* global.cooldown_marketing (history_only/policies/global.policy:12) */
      WHEN (
        CAST(c.channel AS BINARY) = 'email' AND CAST(c.topic AS BINARY) = 'offers'
      )
      AND COALESCE(pl_unopened.n_email_offers, 0) >= 4
      THEN 'global.stop_email_offers_unopened' /* global.stop_email_offers_unopened (history_only/policies/global.policy:13) */
      WHEN CAST(c.business_unit AS BINARY) = 'cruises'
      AND COALESCE(pl_converted.converted_cruises, 0) = 1
      THEN 'cruises.stop_marketing_conversion' /* cruises.stop_marketing_conversion (history_only/policies/cruises.policy:3) */
    END AS pre_rule
  FROM candidates AS c
  LEFT JOIN pl_customers AS cu
    ON cu.customer_id = CAST(c.customer_id AS BINARY) AND cu.copies = 1
  LEFT JOIN pl_consent AS k
    ON k.customer_id = CAST(c.customer_id AS BINARY)
    AND k.channel = CAST(c.channel AS BINARY)
    AND k.topic_key = COALESCE(CAST(c.topic AS BINARY), '')
    AND k.business_unit = CAST(c.business_unit AS BINARY)
    AND k.pick = 1
  LEFT JOIN pl_events_occurred_14d
    ON pl_events_occurred_14d.customer_id = CAST(c.customer_id AS BINARY)
  LEFT JOIN pl_unopened
    ON pl_unopened.customer_id = CAST(c.customer_id AS BINARY)
  LEFT JOIN pl_converted
    ON pl_converted.customer_id = CAST(c.customer_id AS BINARY)
    AND pl_converted.campaign_id = CAST(c.campaign_id AS BINARY)
)
SELECT
  r.candidate_id,
  r.customer_id,
  CASE WHEN r.pre_rule IS NULL THEN 'send' ELSE 'suppress' END AS decision,
  r.pre_rule AS rule,
  '5bcade89e665' AS policy_version,
  UTC_TIMESTAMP(6) AS as_of
FROM pl_base AS r
