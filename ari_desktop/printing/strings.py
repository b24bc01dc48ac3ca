"""Every word the printed sheets use themselves, in English and Spanish (same keys in both).

What comes from the protocol file (activity labels, tubes, laboratories, timepoint labels) is not
here: the protocol file gives it in each language (`Protocol.in_language`). Values may hold `{name}`
fields for str.format and reportlab paragraph mark-up (<b>, <super>); '&' and '<' as text must be
escaped.
"""

from __future__ import annotations

from ..core.errors import ClinicalInputError
from ..core.grading import ICE_ITEMS

# The ICE items' English wording is the grading module's, so the sheet and the app say the same.
_ICE_EN = {f"ice.{code}": label for code, label, _ in ICE_ITEMS}

EN: dict[str, str] = {
    # -- shared ------------------------------------------------------------------------------
    "printed": "Printed {at} by {by}",
    "page": "Page {page} of {pages}",
    "study_id": "Study ID",
    "initials": "Initials",
    "time": "Time",
    "date": "Date",
    "timepoint": "Timepoint",
    "tube": "Tube",
    "volume": "Volume",
    "destination": "Destination",
    "status.planned": "planned",
    "status.due": "due",
    "status.overdue": "OVERDUE",
    "status.missed": "missed",
    "status.done": "done",
    "status.not_done": "not done",
    "status.cancelled": "cancelled",
    "weekday.0": "Monday",
    "weekday.1": "Tuesday",
    "weekday.2": "Wednesday",
    "weekday.3": "Thursday",
    "weekday.4": "Friday",
    "weekday.5": "Saturday",
    "weekday.6": "Sunday",
    # -- visit worksheet ---------------------------------------------------------------------
    "worksheet.title": "Visit worksheet",
    "trial": "Trial",
    "birth_year": "Year of birth",
    "visit": "Visit",
    "day": "Day",
    "target_date": "Target date",
    "window": "Window",
    "exact_day": "exact day",
    "day0_not_set": "day 0 not set yet",
    "samples.heading": "Samples to draw",
    "sample": "Sample",
    "no_samples": "No samples at this visit.",
    "recorded": "already recorded: {status}",
    "tasks.heading": "Assessments and treatments due",
    "item": "Item",
    "vitals.heading": "Vital signs",
    "tox.heading": "Vital signs and cytokine release syndrome (CRS)",
    "vitals.note": "Daily CRS/ICANS monitoring: one column per assessment (every {hours} h while an inpatient).",
    "assessment_n": "Assessment {n}",
    "vitals.temperature": "Temperature (°C)",
    "vitals.heart_rate": "Heart rate (beats/min)",
    "vitals.blood_pressure": "Blood pressure (mmHg)",
    "vitals.respiratory_rate": "Respiratory rate (breaths/min)",
    "vitals.spo2": "SpO<sub>2</sub> (%), on air or oxygen",
    "vitals.weight": "Weight (kg)",
    "crs.heading": "CRS (ASTCT 2019)",
    "crs.fever_masked": "Fever masked (antipyretic, tocilizumab or corticosteroid after CRS onset)",
    "crs.hypotension": "Hypotension",
    "crs.vasopressors": "Vasopressors: number (not counting vasopressin)",
    "crs.vasopressin": "Vasopressin",
    "crs.oxygen_device": "Oxygen device (see list below)",
    "crs.oxygen_flow": "Oxygen flow (L/min)",
    "crs.grade": "CRS grade (0–4)",
    "crs.legend": "Fever: temperature ≥ 38.0 °C. Oxygen devices: none · blow-by · nasal cannula (low flow "
                  "≤ 6 L/min) · high-flow nasal cannula (&gt; 6 L/min) · facemask · non-rebreather mask · "
                  "Venturi mask · CPAP · BiPAP · mechanical ventilation.",
    "icans.heading": "Neurotoxicity (ICANS, ASTCT 2019): ICE score",
    "icans.items": "ICE items",
    "icans.tick": "Tick each ICE item the patient gets right (1 point each).",
    "icans.ice_score": "ICE score (0–10)",
    "icans.consciousness": "Level of consciousness (see list below)",
    "icans.seizure": "Seizure: none / resolved rapidly / prolonged (&gt; 5 min)",
    "icans.motor": "Focal motor weakness",
    "icans.edema": "Cerebral oedema on imaging: none / focal / diffuse",
    "icans.grade": "ICANS grade (0–4)",
    "icans.legend": "Level of consciousness: alert · awakens spontaneously · awakens to voice · awakens only "
                    "to touch · unarousable. Tremor and myoclonus are graded with CTCAE, not as ICANS.",
    **_ICE_EN,
    "infusion.heading": "Infusion: go / hold decision",
    "infusion.fraction": "Fraction",
    "infusion.crs_seen": "CRS grade seen",
    "infusion.icans_seen": "ICANS grade",
    "infusion.decision": "Go / Hold",
    "infusion.go": "Go",
    "infusion.hold": "Hold",
    "infusion.reason": "Reason (to hold, or for a go against active CRS / ICANS)",
    "infusion.dose": "Dose given (×10⁶ CAR+ cells/kg)",
    "infusion.weight": "Weight (kg)",
    "infusion.given_at": "Given at (time)",
    "infusion.physician": "Physician",
    "infusion.note": "With CRS grade ≥ {crs} or ICANS grade ≥ {icans} in the last {active} h, a go needs a reason. "
                     "A go is valid {valid} h and is void if a later assessment shows active CRS or ICANS. "
                     "At least {interval} h between aliquots. A held fraction may be given up to {days} days "
                     "after its planned day.",
    # an item label with a held fraction's reminder; the English is schedule.held_label's
    "infusion.held_label": "{label}; held, may be given up to {days} days late",
    "response.heading": "Response assessment (IMWG 2016)",
    "response.category": "Best response",
    "response.scr": "sCR",
    "response.cr": "CR",
    "response.vgpr": "VGPR",
    "response.pr": "PR",
    "response.mr": "MR",
    "response.sd": "SD",
    "response.pd": "PD",
    "response.mrd": "MRD in bone marrow (10<super>-5</super>)",
    "response.mrd_negative": "negative",
    "response.mrd_positive": "positive",
    "response.mrd_not_done": "not done",
    "response.assessed_by": "Assessed by",
    "notes.heading": "Notes",
    "signature.nurse": "Nurse signature",
    "signature.physician": "Physician signature",
    # -- daily worklist ----------------------------------------------------------------------
    "worklist.title": "Daily worklist",
    "worklist.summary": "{patients} patients · {items} items due · {overdue} overdue · {missed} missed",
    "worklist.tray": "Phlebotomy tray: tubes to prepare",
    "worklist.tubes": "Tubes",
    "worklist.total_volume": "Total volume",
    "worklist.total": "Total",
    "worklist.due_heading": "Due on this day",
    "worklist.patient": "Patient",
    "worklist.status": "Status",
    "worklist.nothing_due": "Nothing is due on this day.",
    "worklist.missed_heading": "Missed — reason needed",
    "worklist.missed_note": "The window closed in the last {days} days with nothing recorded: a protocol "
                            "deviation. Write the reason, then record the item as not done.",
    "worklist.window_closed": "Window closed",
    "worklist.reason": "Reason",
    "worklist.no_missed": "Nothing missed in the last {days} days.",
    "worklist.document": "Daily worklist {date}",
    # -- tube labels -------------------------------------------------------------------------
    "labels.title": "Tube labels",
    "history.title": "Change history",
    "history.document": "Change history {study_id}",
    "history.summary": "{count} changes, oldest first: who changed what, from which value to which, and why.",
    "history.filtered": "Only the changes that mention “{text}”.",
    "history.none": "No change matches.",
    "history.when": "When",
    "history.who": "Who",
    "history.record": "Record",
    "history.change": "What changed",
    "history.why": "Why",
    "history.created": "created",
    "history.corrected": "corrected",
}

ES: dict[str, str] = {
    "printed": "Impreso el {at} por {by}",
    "page": "Página {page} de {pages}",
    "study_id": "ID del paciente",
    "initials": "Iniciales",
    "time": "Hora",
    "date": "Fecha",
    "timepoint": "Momento",
    "tube": "Tubo",
    "volume": "Volumen",
    "destination": "Destino",
    "status.planned": "planificada",
    "status.due": "pendiente",
    "status.overdue": "CON RETRASO",
    "status.missed": "perdida",
    "status.done": "realizada",
    "status.not_done": "no realizada",
    "status.cancelled": "cancelada",
    "weekday.0": "lunes",
    "weekday.1": "martes",
    "weekday.2": "miércoles",
    "weekday.3": "jueves",
    "weekday.4": "viernes",
    "weekday.5": "sábado",
    "weekday.6": "domingo",
    "worksheet.title": "Hoja de visita",
    "trial": "Ensayo",
    "birth_year": "Año de nacimiento",
    "visit": "Visita",
    "day": "Día",
    "target_date": "Fecha prevista",
    "window": "Ventana",
    "exact_day": "día exacto",
    "day0_not_set": "día 0 aún no fijado",
    "samples.heading": "Muestras a extraer",
    "sample": "Muestra",
    "no_samples": "No hay muestras en esta visita.",
    "recorded": "ya registrada: {status}",
    "tasks.heading": "Valoraciones y tratamientos previstos",
    "item": "Actividad",
    "vitals.heading": "Constantes vitales",
    "tox.heading": "Constantes vitales y síndrome de liberación de citocinas (SLC)",
    "vitals.note": "Vigilancia diaria de SLC/ICANS: una columna por valoración (cada {hours} h durante el ingreso).",
    "assessment_n": "Valoración {n}",
    "vitals.temperature": "Temperatura (°C)",
    "vitals.heart_rate": "Frecuencia cardiaca (lpm)",
    "vitals.blood_pressure": "Presión arterial (mmHg)",
    "vitals.respiratory_rate": "Frecuencia respiratoria (rpm)",
    "vitals.spo2": "SpO<sub>2</sub> (%), basal o con oxígeno",
    "vitals.weight": "Peso (kg)",
    "crs.heading": "SLC/CRS (ASTCT 2019)",
    "crs.fever_masked": "Fiebre enmascarada (antitérmico, tocilizumab o corticoide tras el inicio del SLC)",
    "crs.hypotension": "Hipotensión",
    "crs.vasopressors": "Vasopresores: número (sin contar la vasopresina)",
    "crs.vasopressin": "Vasopresina",
    "crs.oxygen_device": "Dispositivo de oxígeno (ver lista)",
    "crs.oxygen_flow": "Flujo de oxígeno (L/min)",
    "crs.grade": "Grado de SLC (0–4)",
    "crs.legend": "Fiebre: temperatura ≥ 38,0 °C. Dispositivos de oxígeno: ninguno · oxígeno indirecto (blow-by) · "
                  "gafas nasales (bajo flujo ≤ 6 L/min) · gafas nasales de alto flujo (&gt; 6 L/min) · "
                  "mascarilla facial · mascarilla con reservorio · mascarilla Venturi · CPAP · BiPAP · "
                  "ventilación mecánica.",
    "icans.heading": "Neurotoxicidad (ICANS, ASTCT 2019): escala ICE",
    "icans.items": "Ítems de la escala ICE",
    "icans.tick": "Marque cada ítem de la escala ICE que el paciente realiza correctamente (1 punto cada uno).",
    "icans.ice_score": "Puntuación ICE (0–10)",
    "icans.consciousness": "Nivel de consciencia (ver lista)",
    "icans.seizure": "Crisis epiléptica: no / resuelta rápidamente / prolongada (&gt; 5 min)",
    "icans.motor": "Debilidad motora focal",
    "icans.edema": "Edema cerebral en la imagen: no / focal / difuso",
    "icans.grade": "Grado de ICANS (0–4)",
    "icans.legend": "Nivel de consciencia: alerta · despierta espontáneamente · despierta a la voz · despierta "
                    "solo con estímulo táctil · no despertable. El temblor y las mioclonías se gradúan con "
                    "CTCAE, no como ICANS.",
    "ice.orient_year": "Orientación: dice el año",
    "ice.orient_month": "Orientación: dice el mes",
    "ice.orient_city": "Orientación: dice la ciudad",
    "ice.orient_hospital": "Orientación: dice el hospital",
    "ice.name_object_1": "Nombra el primer objeto mostrado (p. ej., reloj)",
    "ice.name_object_2": "Nombra el segundo objeto mostrado (p. ej., bolígrafo)",
    "ice.name_object_3": "Nombra el tercer objeto mostrado (p. ej., botón)",
    "ice.follows_commands": "Obedece órdenes sencillas (p. ej., «enséñeme dos dedos»)",
    "ice.writes_sentence": "Escribe una frase estándar",
    "ice.counts_back": "Cuenta hacia atrás desde 100 de diez en diez",
    "infusion.heading": "Infusión: decisión de administrar / aplazar",
    "infusion.fraction": "Fracción",
    "infusion.crs_seen": "Grado de SLC observado",
    "infusion.icans_seen": "Grado ICANS",
    "infusion.decision": "Administrar / Aplazar",
    "infusion.go": "Administrar",
    "infusion.hold": "Aplazar",
    "infusion.reason": "Motivo (para aplazar, o para administrar con SLC / ICANS activos)",
    "infusion.dose": "Dosis administrada (×10⁶ células CAR+/kg)",
    "infusion.weight": "Peso (kg)",
    "infusion.given_at": "Administrada a las (hora)",
    "infusion.physician": "Médico responsable",
    "infusion.note": "Con SLC de grado ≥ {crs} o ICANS de grado ≥ {icans} en las últimas {active} h, administrar "
                     "requiere un motivo. La decisión de administrar vale {valid} h y queda anulada si una "
                     "evaluación posterior muestra SLC o ICANS activos. Al menos {interval} h entre alícuotas. "
                     "Una fracción aplazada puede administrarse hasta {days} días después del día previsto.",
    "infusion.held_label": "{label}; aplazada, puede administrarse hasta {days} días más tarde",
    "response.heading": "Evaluación de la respuesta (IMWG 2016)",
    "response.category": "Mejor respuesta",
    "response.scr": "RCe (sCR)",
    "response.cr": "RC (CR)",
    "response.vgpr": "MBRP (VGPR)",
    "response.pr": "RP (PR)",
    "response.mr": "RM (MR)",
    "response.sd": "EE (SD)",
    "response.pd": "PE (PD)",
    "response.mrd": "EMR en médula ósea (10<super>-5</super>)",
    "response.mrd_negative": "negativa",
    "response.mrd_positive": "positiva",
    "response.mrd_not_done": "no realizada",
    "response.assessed_by": "Evaluado por",
    "notes.heading": "Observaciones",
    "signature.nurse": "Firma de enfermería",
    "signature.physician": "Firma del médico",
    "worklist.title": "Lista de trabajo diaria",
    "worklist.summary": "{patients} pacientes · {items} tareas pendientes · {overdue} con retraso · "
                        "{missed} perdidas",
    "worklist.tray": "Bandeja de extracción: tubos a preparar",
    "worklist.tubes": "Tubos",
    "worklist.total_volume": "Volumen total",
    "worklist.total": "Total",
    "worklist.due_heading": "Pendientes para este día",
    "worklist.patient": "Paciente",
    "worklist.status": "Estado",
    "worklist.nothing_due": "No hay nada pendiente para este día.",
    "worklist.missed_heading": "Perdidas — indicar el motivo",
    "worklist.missed_note": "La ventana se cerró en los últimos {days} días sin ningún registro: es una "
                            "desviación del protocolo. Anote el motivo y registre la actividad como no realizada.",
    "worklist.window_closed": "Ventana cerrada",
    "worklist.reason": "Motivo",
    "worklist.no_missed": "Nada perdido en los últimos {days} días.",
    "worklist.document": "Lista de trabajo diaria {date}",
    "labels.title": "Etiquetas de tubos",
    "history.title": "Historial de cambios",
    "history.document": "Historial de cambios {study_id}",
    "history.summary": "{count} cambios, del más antiguo al más reciente: quién cambió qué, de qué valor a cuál, "
                       "y por qué.",
    "history.filtered": "Solo los cambios que mencionan «{text}».",
    "history.none": "Ningún cambio coincide.",
    "history.when": "Cuándo",
    "history.who": "Quién",
    "history.record": "Registro",
    "history.change": "Qué cambió",
    "history.why": "Por qué",
    "history.created": "creado",
    "history.corrected": "corregido",
}

STRINGS: dict[str, dict[str, str]] = {"en": EN, "es": ES}


class Words:
    """The sheet's words in one language: ``words("page", page=1, pages=2)``."""

    def __init__(self, lang: str):
        if lang not in STRINGS:
            raise ClinicalInputError(f"The language '{lang}' is not one of {', '.join(STRINGS)}.", "lang")
        self.lang = lang
        self._table = STRINGS[lang]

    def __call__(self, key: str, **fields: object) -> str:
        text = self._table[key]
        return text.format(**fields) if fields else text

    def number(self, value: float) -> str:
        """5 or 2.5 in English, 5 or 2,5 in Spanish."""
        text = f"{value:g}"
        return text.replace(".", ",") if self.lang == "es" else text

    def weekday(self, day) -> str:
        return self._table[f"weekday.{day.weekday()}"]
