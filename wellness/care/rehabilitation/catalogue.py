"""The exercise library Wellverse ships: common home-rehabilitation exercises with plain-language
instructions and precautions. No Django imports.

A data migration loads it (keyed by ``slug``); each exercise has a stick-figure illustration at
``care/rehabilitation/exercises/<slug>.svg`` among the care app's static files. Editing an entry
here needs a new data migration to reach existing databases.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

BODY_REGIONS = {
    "lower_body": "Legs and hips",
    "upper_body": "Arms and shoulders",
    "trunk": "Trunk, back and neck",
    "balance": "Balance",
    "cardio": "Heart and endurance",
    "breathing": "Breathing",
}
EQUIPMENT = {
    "none": "No equipment",
    "chair": "A sturdy chair",
    "wall": "A wall",
    "step": "A step or stair",
    "band": "A resistance band",
    "weights": "Light hand weights",
    "ball": "A soft ball",
    "stationary_bike": "A stationary bike",
}


@dataclass(frozen=True)
class ShippedExercise:
    slug: str
    name: str
    body_region: str
    equipment: str
    seated: bool  # has a seated variant
    standing: bool  # has a standing variant
    instructions: str
    precautions: str

    @property
    def illustration(self) -> str:
        """Its static file path (served under STATIC_URL)."""
        return f"care/rehabilitation/exercises/{self.slug}.svg"


_CHAIR_NEAR = "Keep a sturdy chair or a counter within reach for support."
_STOP_IF = "Stop if you feel chest pain, dizziness or unusual shortness of breath."

SHIPPED_EXERCISES: tuple[ShippedExercise, ...] = (
    ShippedExercise(
        "sit-to-stand",
        "Sit to stand",
        "lower_body",
        "chair",
        False,
        True,
        "Sit near the front of a sturdy chair with your feet flat and hip-width apart. Lean "
        "forward slightly, push through your heels and stand up tall. Pause, then sit back down "
        "slowly and with control. Use your hands on the armrests if you need to.",
        "Use a chair that cannot slide (against a wall). " + _STOP_IF,
    ),
    ShippedExercise(
        "heel-raises",
        "Heel raises",
        "lower_body",
        "chair",
        True,
        True,
        "Stand behind a chair holding its back lightly. Rise up onto the balls of your feet, hold "
        "for a moment, then lower your heels slowly. Seated variant: sit tall and lift both heels "
        "while keeping your toes on the floor.",
        _CHAIR_NEAR,
    ),
    ShippedExercise(
        "toe-raises",
        "Toe raises",
        "lower_body",
        "chair",
        True,
        True,
        "Stand behind a chair holding its back. Keep your heels on the floor and lift your toes "
        "towards your shins, then lower them slowly. Seated, do the same with your feet flat "
        "in front of you.",
        _CHAIR_NEAR,
    ),
    ShippedExercise(
        "marching-in-place",
        "Marching in place",
        "cardio",
        "none",
        True,
        True,
        "Stand tall and march on the spot, lifting each knee in turn to a comfortable height and "
        "swinging your arms. Seated variant: sit tall near the front of the chair and lift each "
        "knee in turn. Keep a steady rhythm you could talk at.",
        _CHAIR_NEAR + " " + _STOP_IF,
    ),
    ShippedExercise(
        "wall-push-ups",
        "Wall push-ups",
        "upper_body",
        "wall",
        False,
        True,
        "Stand an arm's length from a wall and place your hands on it at shoulder height. Bend "
        "your elbows to bring your chest towards the wall, keeping your body straight, then push "
        "back to the start. Breathe out as you push.",
        "Keep your heels down and your back straight; do not lock your elbows.",
    ),
    ShippedExercise(
        "step-ups",
        "Step-ups",
        "lower_body",
        "step",
        False,
        True,
        "Stand facing the bottom stair or a low step, holding the rail. Step up with one foot, "
        "bring the other foot up beside it, then step down leading with the same foot. Repeat, "
        "then lead with the other leg.",
        "Always hold a rail or wall. Start with a low step. " + _STOP_IF,
    ),
    ShippedExercise(
        "walking-intervals",
        "Walking intervals",
        "cardio",
        "none",
        False,
        True,
        "Walk at an easy pace for a few minutes to warm up. Then alternate a brisker interval with "
        "an easy one, as your program sets the durations. Finish with a few minutes of easy "
        "walking.",
        "Walk on level ground where you can stop and rest. " + _STOP_IF,
    ),
    ShippedExercise(
        "diaphragmatic-breathing",
        "Diaphragmatic breathing",
        "breathing",
        "none",
        True,
        False,
        "Sit comfortably with one hand on your chest and one on your belly. Breathe in slowly "
        "through your nose so that your belly rises while your chest stays still. Breathe out "
        "gently through pursed lips, letting your belly fall.",
        "Breathe gently; stop if you feel light-headed.",
    ),
    ShippedExercise(
        "pursed-lip-breathing",
        "Pursed-lip breathing",
        "breathing",
        "none",
        True,
        True,
        "Breathe in through your nose for a count of two. Purse your lips as if to whistle and "
        "breathe out slowly for a count of four. Use it during activity when you feel short of "
        "breath.",
        "Do not force the breath out; stop if you feel light-headed.",
    ),
    ShippedExercise(
        "paced-breathing",
        "Paced breathing",
        "breathing",
        "none",
        True,
        True,
        "Sit or stand tall and relax your shoulders. Breathe in for four counts and out for six, "
        "following a steady rhythm for the time your program sets.",
        "Breathe gently; stop if you feel light-headed.",
    ),
    ShippedExercise(
        "single-leg-balance",
        "Single-leg balance",
        "balance",
        "chair",
        False,
        True,
        "Stand behind a chair with both hands on its back. Lift one foot slightly off the floor "
        "and hold your balance for the time set, then change legs. As it gets easier, hold with "
        "one hand, then with a fingertip.",
        "Have the chair within reach at all times. " + _CHAIR_NEAR,
    ),
    ShippedExercise(
        "tandem-stance",
        "Tandem stance",
        "balance",
        "wall",
        False,
        True,
        "Stand beside a wall or counter. Place one foot directly in front of the other, heel "
        "touching toe, and hold the position for the time set. Change which foot is in front.",
        "Stand close enough to the wall to touch it at once if you sway.",
    ),
    ShippedExercise(
        "heel-to-toe-walk",
        "Heel-to-toe walk",
        "balance",
        "wall",
        False,
        True,
        "Walk forwards along a wall, placing the heel of one foot right in front of the toes of "
        "the other with each step. Look ahead rather than at your feet.",
        "Keep one hand near the wall; clear the floor of obstacles first.",
    ),
    ShippedExercise(
        "weight-shifts",
        "Weight shifts",
        "balance",
        "chair",
        False,
        True,
        "Stand behind a chair with your feet hip-width apart. Shift your weight slowly onto one "
        "leg, hold, then shift onto the other. Keep your body upright as you move.",
        _CHAIR_NEAR,
    ),
    ShippedExercise(
        "mini-squats",
        "Mini squats",
        "lower_body",
        "chair",
        False,
        True,
        "Stand behind a chair holding its back, feet hip-width apart. Bend your knees a little as "
        "if about to sit, keeping your back straight and knees over your toes, then straighten "
        "up.",
        "Bend only as far as is comfortable; stop if your knee hurts. " + _CHAIR_NEAR,
    ),
    ShippedExercise(
        "seated-knee-extension",
        "Seated knee extension",
        "lower_body",
        "chair",
        True,
        False,
        "Sit tall in a chair. Straighten one knee until your leg is out in front of you, hold "
        "for the time set, then lower slowly. Repeat with the other leg.",
        "Keep your thigh on the chair; move slowly.",
    ),
    ShippedExercise(
        "ankle-pumps",
        "Ankle pumps",
        "lower_body",
        "none",
        True,
        False,
        "Sit or lie with your legs out in front of you. Point your toes away from you, then pull "
        "them back towards you, moving only at the ankles, in a steady rhythm.",
        "Move gently within a comfortable range.",
    ),
    ShippedExercise(
        "side-leg-raises",
        "Side leg raises",
        "lower_body",
        "chair",
        False,
        True,
        "Stand behind a chair holding its back. Keeping your body upright and toes forward, lift "
        "one leg out to the side, then lower it slowly. Repeat with the other leg.",
        "Do not lean to the side; after hip surgery follow your therapist's movement limits. "
        + _CHAIR_NEAR,
    ),
    ShippedExercise(
        "standing-hip-extension",
        "Standing hip extension",
        "lower_body",
        "chair",
        False,
        True,
        "Stand facing the back of a chair, holding it. Keeping your knee straight, move one leg "
        "backwards without leaning forward, then return it. Repeat with the other leg.",
        "Keep your back straight; after hip surgery follow your therapist's movement limits.",
    ),
    ShippedExercise(
        "calf-stretch",
        "Calf stretch",
        "lower_body",
        "wall",
        False,
        True,
        "Face a wall with your hands on it. Step one foot back, keeping that heel down and knee "
        "straight, and bend the front knee until you feel a stretch in the back calf. Hold, then "
        "change legs.",
        "Stretch gently, without bouncing.",
    ),
    ShippedExercise(
        "seated-hamstring-stretch",
        "Seated hamstring stretch",
        "lower_body",
        "chair",
        True,
        False,
        "Sit near the front of a chair with one leg straight out in front, heel on the floor. Sit "
        "tall and lean forward from your hips until you feel a stretch behind the thigh. Hold, "
        "then change legs.",
        "Keep your back straight; stretch gently, without bouncing.",
    ),
    ShippedExercise(
        "shoulder-rolls",
        "Shoulder rolls",
        "upper_body",
        "none",
        True,
        True,
        "Sit or stand tall with your arms relaxed. Lift your shoulders towards your ears, roll "
        "them back and down in a slow circle, then reverse the direction.",
        "Move within a comfortable range.",
    ),
    ShippedExercise(
        "arm-raises",
        "Forward arm raises",
        "upper_body",
        "none",
        True,
        True,
        "Sit or stand tall with your arms by your sides. Raise both arms forward and up to "
        "shoulder height, or as high as is comfortable, then lower them slowly.",
        "After heart or shoulder surgery, raise your arms only as high as your therapist allows.",
    ),
    ShippedExercise(
        "biceps-curls",
        "Biceps curls",
        "upper_body",
        "weights",
        True,
        True,
        "Hold a light weight (or a water bottle) in each hand, arms by your sides and palms "
        "forward. Bend your elbows to bring the weights towards your shoulders, then lower them "
        "slowly.",
        "Keep your elbows by your sides and breathe out as you lift; do not hold your breath.",
    ),
    ShippedExercise(
        "band-rows",
        "Band rows",
        "upper_body",
        "band",
        True,
        True,
        "Loop a resistance band around a secure point at chest height, holding one end in each "
        "hand. Pull your elbows back, squeezing your shoulder blades together, then return "
        "slowly.",
        "Check the band and its anchor before each session.",
    ),
    ShippedExercise(
        "wall-slides",
        "Wall slides",
        "upper_body",
        "wall",
        False,
        True,
        "Stand facing a wall with your forearms on it. Slide your arms up the wall as far as is "
        "comfortable, then slide them back down.",
        "Stop short of pain; after shoulder surgery follow your therapist's movement limits.",
    ),
    ShippedExercise(
        "grip-squeeze",
        "Grip squeeze",
        "upper_body",
        "ball",
        True,
        True,
        "Hold a soft ball in your hand. Squeeze it as firmly as is comfortable, hold for the time "
        "set, then relax your hand fully. Repeat, then change hands.",
        "Stop if your hand or wrist hurts or swells.",
    ),
    ShippedExercise(
        "seated-trunk-rotation",
        "Seated trunk rotation",
        "trunk",
        "chair",
        True,
        False,
        "Sit tall in a chair with your feet flat and arms crossed over your chest. Turn your upper "
        "body slowly to one side, keeping your hips still, then to the other.",
        "Turn gently; after back surgery follow your therapist's movement limits.",
    ),
    ShippedExercise(
        "pelvic-tilts",
        "Seated pelvic tilts",
        "trunk",
        "chair",
        True,
        False,
        "Sit tall near the front of a chair. Gently round your lower back by rolling your pelvis "
        "backwards, then arch it slightly by rolling forwards. Keep the movement small and slow.",
        "Move gently within a comfortable range.",
    ),
    ShippedExercise(
        "side-bends",
        "Side bends",
        "trunk",
        "none",
        True,
        True,
        "Sit or stand tall with your arms by your sides. Slide one hand down the side of your leg, "
        "bending sideways at the waist, then return to upright. Repeat to the other side.",
        "Bend only as far as is comfortable; do not twist.",
    ),
    ShippedExercise(
        "chin-tucks",
        "Chin tucks",
        "trunk",
        "none",
        True,
        True,
        "Sit or stand tall looking straight ahead. Gently draw your chin straight back, as if "
        "making a double chin, hold, then relax.",
        "Keep the movement small; do not tip your head down.",
    ),
    ShippedExercise(
        "stationary-cycling",
        "Stationary cycling",
        "cardio",
        "stationary_bike",
        True,
        False,
        "Adjust the seat so your knee is only slightly bent at the bottom of the pedal stroke. "
        "Pedal at an easy resistance for the warm-up, then at the effort your program sets, and "
        "finish with easy pedalling.",
        "Keep the resistance light at first. " + _STOP_IF,
    ),
    ShippedExercise(
        "seated-punches",
        "Seated punches",
        "cardio",
        "none",
        True,
        True,
        "Sit tall near the front of a chair (or stand). Punch one arm forward at shoulder height, "
        "bring it back, then punch with the other, at a steady rhythm.",
        "Do not lock your elbows. " + _STOP_IF,
    ),
)


def shipped_exercises_sync(exercise_model: Any) -> None:
    """Create or update the shipped exercises (keyed by slug, no organisation) through
    ``exercise_model``'s manager: the data migration's historical model, or the live one where a
    database lost its rows (a test database flushed by a transactional test). Custom exercises are
    untouched."""
    for shipped in SHIPPED_EXERCISES:
        exercise_model.objects.update_or_create(
            organisation=None,
            slug=shipped.slug,
            defaults={
                "name": shipped.name,
                "instructions": shipped.instructions,
                "body_region": shipped.body_region,
                "equipment": shipped.equipment,
                "seated": shipped.seated,
                "standing": shipped.standing,
                "precautions": shipped.precautions,
                "illustration": shipped.illustration,
            },
        )
