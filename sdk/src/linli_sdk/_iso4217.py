"""The active ISO 4217 currency codes and the number of digits of their minor unit.

Taken from ISO 4217 List One (the current codes). Codes without a minor unit in the
standard ("N.A.": precious metals, bond-market units, XDR, XSU, XUA, the testing code XTS and
"no currency" XXX) are left out, because an amount of them cannot be counted in minor units.
Codes whose transition period has ended (ANG, CUC, HRK, SLL, ZWL, ...) are left out too.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Final

__all__ = ["MINOR_UNIT_DIGITS"]

_ZERO: Final = "BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX UYI VND VUV XAF XOF XPF"
_THREE: Final = "BHD IQD JOD KWD LYD OMR TND"
_FOUR: Final = "CLF UYW"
_TWO: Final = """
AED AFN ALL AMD AOA ARS AUD AWG AZN BAM BBD BDT BGN BMD BND BOB BOV BRL BSD BTN BWP BYN BZD
CAD CDF CHE CHF CHW CNY COP COU CRC CUP CVE CZK DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL
GHS GIP GMD GTQ GYD HKD HNL HTG HUF IDR ILS INR IRR JMD KES KGS KHR KPW KYD KZT LAK LBP LKR
LRD LSL MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MXV MYR MZN NAD NGN NIO NOK NPR NZD
PAB PEN PGK PHP PKR PLN QAR RON RSD RUB SAR SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP STN SVC
SYP SZL THB TJS TMT TOP TRY TTD TWD TZS UAH USD USN UYU UZS VED VES WST XCD XCG YER ZAR ZMW
ZWG
"""

MINOR_UNIT_DIGITS: Final = MappingProxyType(
    {
        code: digits
        for codes, digits in ((_ZERO, 0), (_TWO, 2), (_THREE, 3), (_FOUR, 4))
        for code in codes.split()
    }
)
"""Active ISO 4217 code -> digits of its minor unit (CNY 2, JPY 0, KWD 3, CLF 4)."""
