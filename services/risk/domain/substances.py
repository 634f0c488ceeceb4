"""A representative subset of HJ 941-2018 Appendix A (突发环境事件风险物质及临界量清单), kept as data.

Each substance carries its part of Appendix A, because the part decides which medium it counts for:
- air (clause 6.1): every substance of parts 1, 2, 3, 4 and 6, and the gaseous or volatile
  substances of part 8 except the NH3-N >= 2000 mg/L and CODcr >= 10000 mg/L waste liquids;
- water (clause 7.1): every substance of parts 3 to 8, and those of parts 1 and 2 that dissolve in or
  react with water (the clause names them: hydrogen chloride, ammonia, formaldehyde, sulphur dioxide,
  nitrogen dioxide, ...; chlorine and hydrogen sulphide are not on its list, checked against the
  clause's text).
Critical quantities are in tonnes, as Appendix A gives them. The list is a subset: an assessment
naming a substance not listed here is refused rather than guessed.
"""

from __future__ import annotations

from dataclasses import dataclass

# Parts of Appendix A.
TOXIC_GAS = 1  # 有毒气态物质
FLAMMABLE_GAS = 2  # 易燃易爆气态物质
TOXIC_LIQUID = 3  # 有毒液态物质
FLAMMABLE_LIQUID = 4  # 易燃液态物质
SELF_IGNITING = 5  # 易于自燃的物质
WATER_REACTIVE = 6  # 遇水生成有毒气体的物质
HEAVY_METALS = 7  # 重金属及其化合物
OTHER = 8  # 其他类物质及污染物

AIR_PARTS = frozenset({TOXIC_GAS, FLAMMABLE_GAS, TOXIC_LIQUID, FLAMMABLE_LIQUID, WATER_REACTIVE})
WATER_PARTS = frozenset({TOXIC_LIQUID, FLAMMABLE_LIQUID, SELF_IGNITING, WATER_REACTIVE, HEAVY_METALS, OTHER})


@dataclass(frozen=True)
class Substance:
    """One risk substance: its code here, names, CAS number, Appendix A part and critical quantity (t)."""

    code: str
    name: str
    name_zh: str
    cas: str
    part: int
    critical_t: float
    # Parts 1-2: dissolves in or reacts with water (clause 7.1 list). Part 8: gaseous or volatile.
    water_soluble: bool = False
    volatile: bool = False

    @property
    def counts_for_air(self) -> bool:
        """Whether it enters the air Q (HJ 941-2018 clause 6.1)."""
        return self.part in AIR_PARTS or (self.part == OTHER and self.volatile)

    @property
    def counts_for_water(self) -> bool:
        """Whether it enters the water Q (HJ 941-2018 clause 7.1)."""
        return self.part in WATER_PARTS or (self.part in (TOXIC_GAS, FLAMMABLE_GAS) and self.water_soluble)


_S = Substance
SUBSTANCES: dict[str, Substance] = {
    s.code: s
    for s in (
        # Part 1: toxic gases.
        _S("chlorine", "chlorine", "氯", "7782-50-5", TOXIC_GAS, 1.0),
        _S("ammonia", "ammonia", "氨", "7664-41-7", TOXIC_GAS, 5.0, water_soluble=True),
        _S(
            "hydrogen_chloride",
            "hydrogen chloride",
            "氯化氢",
            "7647-01-0",
            TOXIC_GAS,
            2.5,
            water_soluble=True,
        ),
        _S("hydrogen_sulfide", "hydrogen sulfide", "硫化氢", "7783-06-4", TOXIC_GAS, 2.5),
        _S("sulfur_dioxide", "sulphur dioxide", "二氧化硫", "7446-09-5", TOXIC_GAS, 2.5, water_soluble=True),
        _S("phosgene", "phosgene", "光气", "75-44-5", TOXIC_GAS, 0.25),
        _S("formaldehyde", "formaldehyde", "甲醛", "50-00-0", TOXIC_GAS, 0.5, water_soluble=True),
        # Part 2: flammable gases.
        _S("methane", "methane (natural gas)", "甲烷", "74-82-8", FLAMMABLE_GAS, 10.0),
        _S("lpg", "liquefied petroleum gas", "液化石油气", "68476-85-7", FLAMMABLE_GAS, 10.0),
        _S("hydrogen", "hydrogen", "氢", "1333-74-0", FLAMMABLE_GAS, 10.0),
        # Part 3: toxic liquids.
        _S("methanol", "methanol", "甲醇", "67-56-1", TOXIC_LIQUID, 10.0),
        _S("benzene", "benzene", "苯", "71-43-2", TOXIC_LIQUID, 10.0),
        _S("toluene", "toluene", "甲苯", "108-88-3", TOXIC_LIQUID, 10.0),
        _S("sulfuric_acid", "sulphuric acid", "硫酸", "7664-93-9", TOXIC_LIQUID, 10.0),
        _S("hydrochloric_acid", "hydrochloric acid (>= 37 %)", "盐酸", "7647-01-0", TOXIC_LIQUID, 7.5),
        _S("nitric_acid", "nitric acid", "硝酸", "7697-37-2", TOXIC_LIQUID, 7.5),
        _S("hydrofluoric_acid", "hydrofluoric acid", "氢氟酸", "7664-39-3", TOXIC_LIQUID, 1.0),
        # Part 4: flammable liquids.
        _S("ethyl_acetate", "ethyl acetate", "乙酸乙酯", "141-78-6", FLAMMABLE_LIQUID, 10.0),
        _S("acetone", "acetone", "丙酮", "67-64-1", FLAMMABLE_LIQUID, 10.0),
        # Part 7: heavy metals and their compounds (as the metal).
        _S("chromium_compounds", "chromium compounds (as Cr)", "铬及其化合物", "", HEAVY_METALS, 0.25),
        _S("nickel_compounds", "nickel compounds (as Ni)", "镍及其化合物", "", HEAVY_METALS, 0.25),
        _S("cadmium_compounds", "cadmium compounds (as Cd)", "镉及其化合物", "", HEAVY_METALS, 0.25),
        # Part 8: other substances and pollutants.
        _S("oils", "oils (petroleum products)", "油类物质", "", OTHER, 2500.0),
        _S(
            "cod_waste_liquid",
            "organic waste liquid, CODcr >= 10000 mg/L",
            "CODCr浓度≥10000mg/L的有机废液",
            "",
            OTHER,
            10.0,
        ),
        _S(
            "ammonia_waste_liquid",
            "waste liquid, NH3-N >= 2000 mg/L",
            "NH3-N浓度≥2000mg/L的废液",
            "",
            OTHER,
            5.0,
        ),
    )
}
