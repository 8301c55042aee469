"""factory_boy factories for community content. Boards come from the data migration."""

from __future__ import annotations

import factory

from hybridmd.accounts.tests.factories import PhysicianFactory
from hybridmd.community.models import Answer, Board, Comment, Post
from hybridmd.community.rendering import render_markdown


def board(slug: str = "qna") -> Board:
    return Board.objects.get(slug=slug)


def verified_user(**kwargs):
    return PhysicianFactory(verified=True, **kwargs).user


class PostFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Post

    board = factory.LazyFunction(board)
    author = factory.LazyFunction(verified_user)
    title = factory.Sequence(lambda n: f"흉통 환자 질문 {n}")
    body = "55세 남자, 운동 시 흉통. ECG에서 ST 분절 상승 없음."
    body_html = factory.LazyAttribute(lambda o: render_markdown(o.body))


class AnswerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Answer

    post = factory.SubFactory(PostFactory)
    author = factory.LazyFunction(verified_user)
    body = "운동부하검사 또는 관상동맥 CT를 권합니다."
    body_html = factory.LazyAttribute(lambda o: render_markdown(o.body))


class CommentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Comment

    post = factory.SubFactory(PostFactory)
    author = factory.LazyFunction(verified_user)
    body = "감사합니다."
    body_html = factory.LazyAttribute(lambda o: render_markdown(o.body))
