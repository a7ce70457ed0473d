package io.ringkv.ring; final class Placeholder {}
