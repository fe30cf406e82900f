"""The example project of docs/language.md ("A policy set"), statement for statement:
the global and cruises files that parser, resolver and robustness tests start
from (tests/test_examples.py holds them to the docs and to policies/)."""

SPEC_GLOBAL = '''\
# policies/global.policy — rules every business unit lives under
policy global

channels email, sms, push, direct_mail
topics offers, newsletter, service

consent email requires opt_in
consent sms requires opt_in
consent push allowed unless opt_out
consent direct_mail allowed unless opt_out

segment high_affinity: loyalty_tier in ("gold", "platinum")
segment dormant: days_since(last_purchase_at) > 365
segment cold_lead: lifecycle_stage = "lead" and score fit < 40

score fit {
  +20 when industry in ("travel", "hospitality")
  +15 when employees >= 100
  -10 when country is null
}

score engagement {
  +5 per email opened within 90 days
  +10 per email clicked within 90 days
  +25 per event "webinar_attended" within 180 days
}

block marketing for cold_lead as no_cold_leads
cap marketing 6 per 7 days as weekly_pressure
cap email per 7 days as email_weekly {
  high_affinity: 5
  dormant: 1
  otherwise: 3
}
cap direct_mail spend 25.00 per 365 days as mail_budget
gap email 2 days
stop email after 8 unopened as email_fatigue
cooldown marketing 30 days after event "complaint"
honor preferences
'''

SPEC_CRUISES = '''\
# policies/cruises.policy
policy business_unit cruises

segment past_cruiser: cruises_taken >= 1

cap email 2 per 7 days
cap direct_mail 1 per 30 days
block sms unless past_cruiser
stop marketing after conversion as stop_after_booking

campaign spring_sale {
  stage announce: email day 0
  stage reminder: email day 3
  stage last_call: email day 9
}
'''
