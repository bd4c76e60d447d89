"""Conversations that flow: choices that can be picked by number, by name or by yes and
no, on every platform; what is typed at a prompt is never taken for a question."""

from __future__ import annotations

from bot.adapters.console import Console
from bot.runtime.services import Services
from tests.conftest import Screen


async def test_a_number_picks_the_branch_offered(alice: Console, services: Services) -> None:
    asked = await alice.handle("/volunteer branch:leeds consent:yes")
    assert asked is not None
    assert "Which branch did you mean?" in asked
    assert "1) DWP Leeds  2) HMRC Leeds  3) Interserve Cleaners Leeds" in asked
    assert await services.store.people.volunteer(alice.user) is None  # nothing yet
    done = await alice.handle("2")
    assert done is not None and "You're signed up for HMRC Leeds" in done
    volunteer = await services.store.people.volunteer(alice.user)
    assert volunteer is not None and volunteer.branch_code == "HMRC-LEEDS"
    assert await services.store.questions.unanswered() == []


async def test_the_name_or_yes_typed_at_a_prompt_answers_it(
    alice: Console, services: Services
) -> None:
    await alice.handle("/volunteer branch:leeds")
    consent = await alice.handle("HMRC Leeds")  # the branch, by name
    assert consent is not None and "Do you agree?" in consent
    done = await alice.handle("yes")
    assert done is not None and "signed up for HMRC Leeds" in done
    assert await services.store.questions.unanswered() == []


async def test_a_did_you_mean_can_be_answered_yes_or_no(alice: Console, services: Services) -> None:
    asked = await alice.handle("/meeting branch:interserv date:30 Sep notice:16 Sep")
    assert asked is not None
    if "Did you mean" not in asked:  # the one close branch was taken as meant
        assert "Recorded: Interserve Cleaners Leeds meeting" in asked
        return
    no = await alice.handle("no")
    assert no is not None and "nothing has been saved" in no
    assert await services.store.meetings.current("COMM-INTER") is None


async def test_another_branch_typed_at_the_prompt_is_tried(
    alice: Console, services: Services
) -> None:
    await alice.handle("/volunteer branch:leeds consent:yes")
    done = await alice.handle("dwp sheffield")
    assert done is not None and "signed up for DWP Sheffield" in done


async def test_a_question_typed_at_a_prompt_is_still_answered(alice: Console) -> None:
    await alice.handle("/volunteer branch:leeds")
    answer = await alice.handle("when do nominations close?")
    assert answer is not None and "14 October" in answer


async def test_a_stray_word_at_a_prompt_repeats_the_choices(
    alice: Console, services: Services
) -> None:
    await alice.handle("/volunteer branch:DWP-LEEDS")
    again = await alice.handle("maybe")
    assert again is not None and "Please pick one of these" in again
    assert "1) I agree  2) No thanks" in again
    assert await services.store.questions.unanswered() == []


async def test_plain_help_and_thanks(alice: Console) -> None:
    helped = await alice.handle("help")
    assert helped is not None and "/volunteer" in helped
    thanked = await alice.handle("thanks!")
    assert thanked is not None and thanked.startswith("You're welcome")


async def test_a_long_plain_question_is_read_not_refused(alice: Console) -> None:
    long = "I'm a rep in HMRC and " + "we have been talking about it for ages and " * 20
    answer = await alice.handle(long + "when do nominations close?")
    assert answer is not None and "is too long" not in answer


async def test_another_persons_reminder_buttons_are_not_yours(
    alice: Console, services: Services
) -> None:
    from bot.adapters.base import Target
    from bot.runtime.messages import Button, Reply

    reminder = Reply(text="Has DWP Leeds met?", buttons=(Button("Need help", "needhelp"),))
    await alice.send(Target("console", "user", "bob"), reminder, "k1")
    reply = await alice.handle("1")
    assert reply is not None and "Need help" not in reply
    assert await services.store.people.volunteer(alice.user) is None


async def test_an_answer_reaches_the_people_who_asked(
    alice: Console, bob: Console, organiser: Console, services: Services
) -> None:
    screen = Screen()
    seen = screen.writes
    printer = Console(alice.services, "alice", out=screen)  # type: ignore[arg-type]
    services.outbox.attach(printer)
    await alice.handle("wat abot the pensons of cleaners on the moon?")
    await bob.handle("wat abot the pensons of cleaners on the moon?")
    await bob.handle("/forgetme")  # bob erased himself: he is not contacted
    listed = await organiser.handle("/questions")
    assert listed is not None
    assert "(asked 2 times by 1 person, on Fri 20 Sep)" in listed
    (number,) = [line.split()[0][1:] for line in listed.splitlines() if "moon" in line]
    done = await organiser.handle(
        f'/answer id:{number} question:"Pensions for cleaners on the moon?" '
        "text:There are no cleaners on the moon yet."
    )
    assert done is not None and "Sent to 1 person who asked." in done
    told = "".join(seen)
    assert "[reminder for you]" in told or "alice" in told
    assert "There are no cleaners on the moon yet." in told
    assert "(Source: Organisers: Pensions for cleaners on the moon?)" in told
    # Asked again in other words, the answer is known.
    again = await bob.handle("what about pensions for cleaners on the moon")
    assert again is not None and "no cleaners on the moon yet" in again
